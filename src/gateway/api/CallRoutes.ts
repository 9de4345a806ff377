import type { FastifyInstance } from 'fastify';
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
    async (request) => {
      const { callId } = request.params;
      const analytics = await sources.postCall.get(callId, request.query.pipelineId);
      if (!analytics)
        throw new CallsightError('CS_ERR_NOT_FOUND', `no post-call analytics for call ${callId} (yet)`);
      return analytics;
    },
  );
  app.delete<{ Params: { callId: string } }>('/api/calls/:callId', (request) =>
    sources.erasure.erase(request.params.callId),
  );
}
