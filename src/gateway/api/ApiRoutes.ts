import type { FastifyInstance } from 'fastify';
import { CallsightError } from '../../platform/errors.js';
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
  app.get<{ Params: { callId: string } }>('/api/calls/:callId', async (request) => {
    const call = (await sources.calls.active()).find((c) => c.callId === request.params.callId);
    if (!call) throw new CallsightError('CS_ERR_NOT_FOUND', `no active call ${request.params.callId}`);
    return call;
  });
  app.get('/api/routes', async () => ({ routes: await sources.routes.routes() }));
  app.get('/api/stream', async () => ({ lastSequenceNumber: sources.stream.lastSequence() }));
}
