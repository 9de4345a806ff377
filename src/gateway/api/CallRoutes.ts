import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documented, errorResponses } from '../OpenApi.js';
import { CallsightError } from '../../platform/errors.js';
import type { PostCallStore } from '../../pipeline/records/PostCall.js';
import type { CallErasure } from '../../calls/CallErasure.js';

export interface CallRouteSources {
  readonly postCall: PostCallStore;
  readonly erasure: CallErasure;
}

/**
 * What Callsight keeps about a call after it ends: `GET /api/calls/{callId}/analytics` serves the
 * post-call analytics document (Transcribe Call Analytics' post-call shape; `?pipelineId=` picks one
 * pipeline's when a call had several). `DELETE /api/calls/{callId}` erases the call (CallErasure.ts):
 * its records, recordings, post-call documents and directory entries; 200 with what went.
 */
export function registerCallRoutes(app: FastifyInstance, sources: CallRouteSources): void {
  app.get<{ Params: { callId: string }; Querystring: { pipelineId?: string } }>(
    '/api/calls/:callId/analytics',
    documented({
      summary: "A finished call's post-call analytics",
      description:
        "Transcribe Call Analytics' post-call document (docs/analytics.md); `?pipelineId=` picks one pipeline's.",
      tags: ['Calls'],
      params: z.object({ callId: z.string() }),
      querystring: z.object({ pipelineId: z.string().optional() }),
      response: {
        200: z
          .looseObject({
            JobStatus: z.string().optional(),
            Transcript: z.array(z.looseObject({})).optional(),
            ConversationCharacteristics: z.looseObject({}).optional(),
          })
          .meta({
            examples: [
              {
                JobStatus: 'COMPLETED',
                LanguageCode: 'en-US',
                Transcript: [
                  {
                    ParticipantRole: 'AGENT',
                    Content: 'Thank you for calling, how can I help?',
                    BeginOffsetMillis: 120,
                    EndOffsetMillis: 2350,
                    Sentiment: 'POSITIVE',
                  },
                ],
                ConversationCharacteristics: { TotalConversationDurationMillis: 61_000 },
              },
            ],
          }),
        ...errorResponses('CS_ERR_NOT_FOUND'),
      },
    }),
    async (request) => {
      const { callId } = request.params;
      const analytics = await sources.postCall.get(callId, request.query.pipelineId);
      if (!analytics)
        throw new CallsightError('CS_ERR_NOT_FOUND', `no post-call analytics for call ${callId} (yet)`);
      return analytics;
    },
  );
  app.delete<{ Params: { callId: string } }>(
    '/api/calls/:callId',
    documented({
      summary: 'Erase a finished call: its records, recordings, post-call documents and directory entries',
      tags: ['Calls'],
      params: z.object({ callId: z.string() }),
      response: {
        200: z
          .object({
            callId: z.string(),
            erasedAt: z.string(),
            removed: z.record(z.string(), z.number().int()).describe('What went, by part'),
          })
          .meta({
            examples: [
              {
                callId: '6f1c1c4e-3a59-4a55-9d4c-1b0f0c3d2a10',
                erasedAt: '2026-12-07T13:00:00.000Z',
                removed: { records: 412, recordings: 1, postCall: 1 },
              },
            ],
          }),
        ...errorResponses('CS_ERR_CALL_IN_PROGRESS', 'CS_ERR_ERASURE_INCOMPLETE'),
      },
    }),
    (request) => sources.erasure.erase(request.params.callId),
  );
}
