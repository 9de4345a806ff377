import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CallsightError } from '../../platform/errors.js';
import type { VoiceToneLeg, VoiceToneTaskState } from '../../pipeline/PipelineTypes.js';
import { voiceToneTaskId } from '../../pipeline/records/VoiceAnalyticsEvents.js';
import type { CallsView, PipelineService } from './ApiSourceTypes.js';
import { parseBody } from '../HttpErrors.js';
import { documented, errorResponses } from '../OpenApi.js';

/** StartVoiceToneAnalysisTask's body (Chime SDK Voice API, 2022-08-03). */
const startSchema = z
  .strictObject({
    TransactionId: z.string().min(1).max(256),
    LanguageCode: z.literal('en-US'),
    ClientRequestToken: z
      .string()
      .regex(/^[-_a-zA-Z0-9]{2,64}$/)
      .optional(),
  })
  .meta({ examples: [{ TransactionId: 'b2c6c5d8-6b1e-4d59-8f41-8f2f6a8a9c01', LanguageCode: 'en-US' }] });

const isCallerSchema = z.strictObject({ isCaller: z.enum(['true', 'false']) });
const stopSchema = z.strictObject({ operation: z.literal('stop') });

const taskSchema = z
  .object({
    VoiceToneAnalysisTask: z.object({
      VoiceToneAnalysisTaskId: z.string(),
      VoiceToneAnalysisTaskStatus: z.string(),
      CallDetails: z.object({
        VoiceConnectorId: z.string(),
        TransactionId: z.string(),
        IsCaller: z.boolean(),
      }),
      CreatedTimestamp: z.string(),
      UpdatedTimestamp: z.string(),
      StartedTimestamp: z.string(),
      StatusMessage: z.string().optional(),
    }),
  })
  .meta({
    examples: [
      {
        VoiceToneAnalysisTask: {
          VoiceToneAnalysisTaskId: 'vt-1f7c7b0e-7f3a-4e55-8c7e-0d5b7a4b2c10',
          VoiceToneAnalysisTaskStatus: 'IN_PROGRESS',
          CallDetails: {
            VoiceConnectorId: 'callsight-vc',
            TransactionId: 'b2c6c5d8-6b1e-4d59-8f41-8f2f6a8a9c01',
            IsCaller: true,
          },
          CreatedTimestamp: '2026-12-07T12:00:01.000Z',
          UpdatedTimestamp: '2026-12-07T12:00:01.000Z',
          StartedTimestamp: '2026-12-07T12:00:01.000Z',
        },
      },
    ],
  });
const connectorParams = z.object({ voiceConnectorId: z.string() });
const taskParams = connectorParams.extend({ taskId: z.string() });
const TAGS = ['Voice analytics (Chime SDK Voice API)'];
const SPEAKER_SEARCH = 'Not available: needs voice embeddings Callsight does not ship (always 422).';

const ACTIVE = new Set(['Initializing', 'InProgress', 'Paused']);

interface TaskParams {
  Params: { voiceConnectorId: string; taskId: string };
}

/** The Voice API's VoiceToneAnalysisTask for one leg of the call. */
function taskDocument(
  state: VoiceToneTaskState,
  call: { voiceConnectorId: string; transactionId: string },
  isCaller: boolean,
) {
  const leg: VoiceToneLeg = isCaller ? state.caller : state.callee;
  return {
    VoiceToneAnalysisTask: {
      VoiceToneAnalysisTaskId: state.taskId,
      VoiceToneAnalysisTaskStatus: leg.status,
      CallDetails: {
        VoiceConnectorId: call.voiceConnectorId,
        TransactionId: call.transactionId,
        IsCaller: isCaller,
      },
      CreatedTimestamp: state.startedAt,
      UpdatedTimestamp: state.updatedAt,
      StartedTimestamp: state.startedAt,
      ...(leg.statusMessage ? { StatusMessage: leg.statusMessage } : {}),
    },
  };
}

/**
 * The Chime SDK Voice API's voice analytics tasks, in its paths under /api (an AWS SDK client whose
 * endpoint is `http://<host>:8080/api` calls them as written): StartVoiceToneAnalysisTask,
 * GetVoiceToneAnalysisTask and StopVoiceToneAnalysisTask act on the voice tone analysis of the call's
 * pipeline whose configuration has `VoiceToneAnalysisStatus: Enabled` (one task per call, both legs,
 * `isCaller` picks the leg). The analysis runs from the pipeline's start, so Start finds it running
 * and returns it. Speaker search needs voice embeddings Callsight does not ship: its three operations
 * answer CS_ERR_SPEAKER_SEARCH_UNSUPPORTED.
 */
export function registerVoiceAnalyticsRoutes(
  app: FastifyInstance,
  sources: { readonly calls: CallsView; readonly pipelines: PipelineService },
): void {
  const { calls, pipelines } = sources;

  /** The task of the call's running pipeline that analyses voice tone. */
  async function taskOfTransaction(voiceConnectorId: string, transactionId: string) {
    const call = (await calls.active()).find(
      (c) => c.transactionId === transactionId && c.voiceConnectorId === voiceConnectorId,
    );
    if (!call)
      throw new CallsightError(
        'CS_ERR_NOT_FOUND',
        `no call in progress with transaction ${transactionId} on Voice Connector ${voiceConnectorId}`,
      );
    for (const pipeline of await pipelines.list()) {
      if (pipeline.CallId !== call.callId || !ACTIVE.has(pipeline.Status)) continue;
      try {
        return { call, state: await pipelines.voiceTone(pipeline.MediaPipelineId, 'get') };
      } catch (err) {
        if (!(err instanceof CallsightError && err.code === 'CS_ERR_NOT_FOUND')) throw err;
      }
    }
    throw new CallsightError(
      'CS_ERR_NOT_FOUND',
      `call ${call.callId} has no pipeline running with VoiceToneAnalysisStatus: Enabled`,
    );
  }

  /** The pipeline whose voice tone task has this id, and its call. */
  async function pipelineOfTask(voiceConnectorId: string, taskId: string) {
    const pipeline = (await pipelines.list()).find((p) => voiceToneTaskId(p.MediaPipelineId) === taskId);
    const call = pipeline && (await calls.active()).find((c) => c.callId === pipeline.CallId);
    // A finished call is no longer listed: its Voice Connector cannot be checked then.
    if (!pipeline || (call && call.voiceConnectorId !== voiceConnectorId))
      throw new CallsightError(
        'CS_ERR_NOT_FOUND',
        `no voice tone analysis task ${taskId} on Voice Connector ${voiceConnectorId}`,
      );
    const document = (await pipelines.get(pipeline.MediaPipelineId)) as { TransactionId?: string };
    return {
      id: pipeline.MediaPipelineId,
      call: { voiceConnectorId, transactionId: document.TransactionId ?? '' },
    };
  }

  app.post<{ Params: { voiceConnectorId: string } }>(
    '/api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks',
    documented({
      summary: "StartVoiceToneAnalysisTask: the call's voice tone analysis",
      tags: TAGS,
      params: connectorParams,
      body: startSchema,
      response: {
        201: taskSchema,
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND', 'CS_ERR_PIPELINE_STATE'),
      },
    }),
    async (request, reply) => {
      const body = parseBody(startSchema, request.body, 'StartVoiceToneAnalysisTask');
      const { call, state } = await taskOfTransaction(request.params.voiceConnectorId, body.TransactionId);
      if (state.caller.status === 'STOPPED')
        throw new CallsightError(
          'CS_ERR_PIPELINE_STATE',
          `the voice tone analysis task ${state.taskId} of transaction ${body.TransactionId} was stopped; a call has one`,
        );
      return reply.code(201).send(taskDocument(state, call, true));
    },
  );

  app.get<TaskParams & { Querystring: Record<string, string> }>(
    '/api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks/:taskId',
    documented({
      summary: 'GetVoiceToneAnalysisTask: one leg of the task',
      tags: TAGS,
      params: taskParams,
      querystring: isCallerSchema,
      response: { 200: taskSchema, ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND') },
    }),
    async (request) => {
      const { isCaller } = parseBody(isCallerSchema, request.query, 'GetVoiceToneAnalysisTask');
      const { id, call } = await pipelineOfTask(request.params.voiceConnectorId, request.params.taskId);
      return taskDocument(await pipelines.voiceTone(id, 'get'), call, isCaller === 'true');
    },
  );

  app.post<TaskParams & { Querystring: Record<string, string> }>(
    '/api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks/:taskId',
    documented({
      summary: 'StopVoiceToneAnalysisTask (`?operation=stop`)',
      tags: TAGS,
      params: taskParams,
      querystring: stopSchema,
      response: {
        204: z.null().describe('Stopped'),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND'),
      },
    }),
    async (request, reply) => {
      parseBody(stopSchema, request.query, 'StopVoiceToneAnalysisTask');
      const { id } = await pipelineOfTask(request.params.voiceConnectorId, request.params.taskId);
      await pipelines.voiceTone(id, 'stop');
      return reply.code(204).send();
    },
  );

  const unsupported = (operation: string) => async () => {
    throw new CallsightError(
      'CS_ERR_SPEAKER_SEARCH_UNSUPPORTED',
      `${operation}: speaker search is not available in Callsight: it needs voice embeddings that are not shipped`,
    );
  };
  app.post(
    '/api/voice-connectors/:voiceConnectorId/speaker-search-tasks',
    documented({
      summary: 'StartSpeakerSearchTask',
      description: SPEAKER_SEARCH,
      tags: TAGS,
      params: connectorParams,
      response: errorResponses('CS_ERR_SPEAKER_SEARCH_UNSUPPORTED'),
    }),
    unsupported('StartSpeakerSearchTask'),
  );
  app.get(
    '/api/voice-connectors/:voiceConnectorId/speaker-search-tasks/:taskId',
    documented({
      summary: 'GetSpeakerSearchTask',
      description: SPEAKER_SEARCH,
      tags: TAGS,
      params: taskParams,
      response: errorResponses('CS_ERR_SPEAKER_SEARCH_UNSUPPORTED'),
    }),
    unsupported('GetSpeakerSearchTask'),
  );
  app.post(
    '/api/voice-connectors/:voiceConnectorId/speaker-search-tasks/:taskId',
    documented({
      summary: 'StopSpeakerSearchTask',
      description: SPEAKER_SEARCH,
      tags: TAGS,
      params: taskParams,
      response: errorResponses('CS_ERR_SPEAKER_SEARCH_UNSUPPORTED'),
    }),
    unsupported('StopSpeakerSearchTask'),
  );
}
