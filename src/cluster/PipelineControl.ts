import { CallsightError, ERROR_CODES, errorMessage, type ErrorCode } from '../platform/errors.js';
import type { VoiceToneTaskState } from '../pipeline/PipelineTypes.js';

/**
 * Requests to the worker running a pipeline, on `<ns>.pipelines.<id>.control` (core NATS
 * request/reply): UpdateMediaInsightsPipelineStatus, DeleteMediaPipeline and the Voice API's voice
 * tone analysis task (Get, Stop) from a gateway, and the
 * notice a worker sends when it takes the pipeline's job over (`claim`, no reply), which tells a
 * previous holder that is still alive to let go. Only the holder of the job's lease answers.
 */
export type ControlRequest =
  | { readonly op: 'Pause' | 'Resume' | 'Stop' }
  | { readonly op: 'VoiceTone'; readonly action: 'get' | 'stop' }
  | { readonly op: 'claim'; readonly delivery: number; readonly owner: string };

export type ControlReply =
  | { readonly ok: true; readonly task?: VoiceToneTaskState }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const OPS = new Set(['Pause', 'Resume', 'Stop', 'VoiceTone', 'claim']);

export function parseControlRequest(data: Uint8Array): ControlRequest | null {
  try {
    const request = JSON.parse(Buffer.from(data).toString('utf8')) as ControlRequest;
    if (!OPS.has(request?.op)) return null;
    if (request.op === 'claim' && typeof request.delivery !== 'number') return null;
    if (request.op === 'VoiceTone' && request.action !== 'get' && request.action !== 'stop') return null;
    return request;
  } catch {
    return null;
  }
}

export function encodeControl(message: ControlRequest | ControlReply): Uint8Array {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

export function replyOf(err: unknown): ControlReply {
  if (err instanceof CallsightError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'CS_ERR_INTERNAL', message: errorMessage(err) };
}

/** The error a reply carries, as the gateway throws it (404, 409, …). */
export function errorOf(reply: ControlReply): CallsightError | null {
  if (reply.ok) return null;
  const code = reply.code in ERROR_CODES ? reply.code : 'CS_ERR_INTERNAL';
  return new CallsightError(code, reply.message);
}
