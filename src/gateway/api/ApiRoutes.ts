import type { FastifyInstance } from 'fastify';
import type { DataStream } from '../../stream/StreamTypes.js';
import type { CallsView, RoutesView } from './ApiSourceTypes.js';

export interface ApiSources {
  readonly calls: CallsView;
  readonly routes: RoutesView;
  readonly stream: DataStream;
}

/** REST views of live state. Everything here can also be rebuilt from the stream. */
export function registerApiRoutes(app: FastifyInstance, sources: ApiSources): void {
  app.get('/api/calls', async () => ({ calls: await sources.calls.active() }));
  app.get<{ Params: { callId: string } }>('/api/calls/:callId', async (request, reply) => {
    const call = (await sources.calls.active()).find((c) => c.callId === request.params.callId);
    if (!call)
      return reply
        .code(404)
        .send({ error: 'CS_ERR_NOT_FOUND', message: `no active call ${request.params.callId}` });
    return call;
  });
  app.get('/api/routes', async () => ({ routes: await sources.routes.routes() }));
  app.get('/api/stream', async () => ({ lastSequenceNumber: sources.stream.lastSequence() }));
}
