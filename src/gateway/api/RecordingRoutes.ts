import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { z } from 'zod';
import { documented, errorResponses } from '../OpenApi.js';
import { CallsightError, ValidationError } from '../../platform/errors.js';
import { isRecordingId, RECORDING_CONTENT_TYPE } from '../../recording/RecordingStore.js';
import type { ByteRange, RecordingStorage, StoredRecording } from '../../recording/RecordingStoreTypes.js';

interface RecordingRequest {
  Params: { callId: string };
  Querystring: { pipelineId?: string };
}

/**
 * `GET /api/calls/{callId}/recording.wav[?pipelineId=…]` (also without `.wav`), and
 * `…/recording.redacted.wav` for its copy with the PII silenced: a call's recording as `audio/wav`, from the
 * local folder or streamed from S3, with HTTP range requests (RFC 9110 §14) so that browsers can
 * seek. Without `pipelineId`, the call's latest finished recording. A recording still being made is
 * not served (404 until the call, or its pipeline, ends).
 *
 * Ranges are parsed with `range-parser` (the parser of `send` and Express) and answered here rather
 * than through @fastify/send, because the same 206/416 logic must serve S3 objects, which send
 * cannot read. One range → 206; several → 200 with the whole file (multipart/byteranges is optional
 * and players never ask for it); none inside the file → 416; a malformed header is ignored (200).
 */
export function registerRecordingRoutes(app: FastifyInstance, store: RecordingStorage): void {
  // The `.wav` path is the one records link to: players and the seed's app name the file after its last segment.
  const wav = z.string().meta({ contentEncoding: 'binary', description: 'Stereo WAV' });
  const paths = [
    ['/api/calls/:callId/recording.wav', false],
    ['/api/calls/:callId/recording', false],
    ['/api/calls/:callId/recording.redacted.wav', true],
  ] as const;
  for (const [path, redacted] of paths)
    app.get<RecordingRequest>(
      path,
      documented({
        summary: redacted
          ? "A finished call's recording with its PII silenced (audio/wav, with ranges)"
          : "A finished call's recording (audio/wav, with ranges)",
        description: redacted
          ? 'The copy a configuration with `ContentRedactionType: PII` makes (docs/privacy.md). Without `pipelineId`, the latest. One `Range` answers 206.'
          : 'Without `pipelineId`, the latest finished recording (as recorded: never the redacted copy). One `Range` answers 206.',
        tags: ['Calls'],
        params: z.object({ callId: z.string() }),
        querystring: z.object({ pipelineId: z.string().optional() }),
        response: {
          200: { description: 'The whole recording', content: { [RECORDING_CONTENT_TYPE]: { schema: wav } } },
          206: { description: 'One range of it', content: { [RECORDING_CONTENT_TYPE]: { schema: wav } } },
          ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND', 'CS_ERR_RANGE_NOT_SATISFIABLE'),
        },
      }),
      (request, reply) => serve(request, reply, redacted),
    );
  async function serve(request: FastifyRequest<RecordingRequest>, reply: FastifyReply, redacted: boolean) {
    const { callId } = request.params;
    const { pipelineId } = request.query;
    const problems = [
      ...(isRecordingId(callId) ? [] : [{ path: 'callId', message: 'not a call id' }]),
      ...(pipelineId === undefined || isRecordingId(pipelineId)
        ? []
        : [{ path: 'pipelineId', message: 'not a pipeline id' }]),
    ];
    if (problems.length > 0) throw new ValidationError('GET recording', problems);
    const recording = await store.find(callId, pipelineId, redacted);
    if (!recording) {
      const which = pipelineId ? `pipeline ${pipelineId} of call ${callId}` : `call ${callId}`;
      const what = redacted ? 'redacted recording' : 'recording';
      throw new CallsightError('CS_ERR_NOT_FOUND', `no finished ${what} of ${which}`);
    }
    const size = recording.sizeBytes;
    headers(reply, recording);
    const header = request.headers.range;
    let range: ByteRange | undefined;
    if (header !== undefined && size > 0) {
      const parsed = parseRange(size, header, { combine: true });
      if (parsed === -1) {
        reply.header('content-range', `bytes */${size}`);
        throw new CallsightError(
          'CS_ERR_RANGE_NOT_SATISFIABLE',
          `range ${header} lies outside the recording (${size} bytes)`,
        );
      }
      if (parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1) range = parsed[0];
    }
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', size);
    }
    if (request.method === 'HEAD') return reply.send();
    return reply.send(await store.read(recording, range));
  }
}

function headers(reply: FastifyReply, recording: StoredRecording): void {
  reply
    .type(RECORDING_CONTENT_TYPE)
    .header('accept-ranges', 'bytes')
    .header('last-modified', recording.lastModified.toUTCString())
    .header('cache-control', 'private, no-cache')
    .header(
      'content-disposition',
      `inline; filename="${recording.callId}-${recording.pipelineId}${recording.redacted ? '-redacted' : ''}.wav"`,
    );
}
