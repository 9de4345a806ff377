import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CallsightError } from '../../platform/errors.js';
import type { DataStream } from '../../stream/StreamTypes.js';
import { documented, errorResponses } from '../OpenApi.js';
import type { CallsView, RoutesView } from './ApiSourceTypes.js';

export interface ApiSources {
  readonly calls: CallsView;
  readonly routes: RoutesView;
  readonly stream: DataStream;
}

const EXAMPLE_CALL = {
  callId: '6f1c1c4e-3a59-4a55-9d4c-1b0f0c3d2a10',
  transactionId: 'b2c6c5d8-6b1e-4d59-8f41-8f2f6a8a9c01',
  sipCallId: '9b7e2a@192.0.2.10',
  kind: 'listener',
  voiceConnectorId: 'callsight-vc',
  direction: 'Inbound',
  fromNumber: '+15550001001',
  toNumber: '+15550002002',
  inviteHeaders: {},
  siprecMetadata: null,
  siprecMetadataJson: null,
  streams: [
    {
      mediaIndex: 0,
      mediaLabel: null,
      channel: 0,
      isCaller: true,
      streamArn: 'arn:aws:kinesisvideo:us-east-1:000000000000:stream/ChimeVoiceConnector-callsight-vc-0/1',
      startFragmentNumber: '91343852333181432392682062607743920146264440798',
    },
  ],
  startedAt: '2026-12-07T12:00:00.000Z',
  confirmed: true,
  rtp: [],
};

const callStreamSchema = z.object({
  mediaIndex: z.number().int(),
  mediaLabel: z.string().nullable(),
  channel: z.number().int(),
  isCaller: z.boolean(),
  participantRole: z.enum(['AGENT', 'CUSTOMER']).optional(),
  streamArn: z.string(),
  startFragmentNumber: z.string(),
});

/** A call in progress (ActiveCallView). */
const activeCallSchema = z.object({
  callId: z.string(),
  transactionId: z.string(),
  sipCallId: z.string(),
  kind: z.enum(['listener', 'siprec', 'trunk']),
  voiceConnectorId: z.string(),
  direction: z.enum(['Inbound', 'Outbound']),
  fromNumber: z.string(),
  toNumber: z.string(),
  inviteHeaders: z.record(z.string(), z.string()),
  siprecMetadata: z.string().nullable(),
  siprecMetadataJson: z.string().nullable(),
  streams: z.array(callStreamSchema),
  startedAt: z.string().describe('ISO 8601: when the INVITE arrived'),
  confirmed: z.boolean().describe('Answered (ACK seen)'),
  rtp: z
    .array(z.record(z.string(), z.number()))
    .describe('Per-stream RTP counters (packetsReceived, packetsLost, jitterMs, …)'),
});

const routeTargetSchema = z.object({
  uri: z.string(),
  state: z.enum(['unknown', 'up', 'down']),
  lastStatus: z.number().int().nullable(),
  rttMs: z.number().nullable(),
  lastChange: z.string().nullable(),
  lastPing: z.string().nullable(),
  priority: z.number(),
  weight: z.number(),
});
const routeSchema = z.object({
  name: z.string(),
  owner: z.string().optional(),
  direction: z.enum(['Inbound', 'Outbound']),
  target: z.enum(['local', 'sip']),
  authentication: z.object({ username: z.string() }).nullable(),
  targets: z.array(routeTargetSchema),
});

const callIdParams = z.object({ callId: z.string() });

/** REST views of live state. Everything here can also be rebuilt from the stream. */
export function registerApiRoutes(app: FastifyInstance, sources: ApiSources): void {
  app.get(
    '/api/calls',
    documented({
      summary: 'Calls in progress',
      tags: ['Calls'],
      response: {
        200: z.object({ calls: z.array(activeCallSchema) }).meta({ examples: [{ calls: [EXAMPLE_CALL] }] }),
      },
    }),
    async () => ({ calls: await sources.calls.active() }),
  );
  app.get<{ Params: { callId: string } }>(
    '/api/calls/:callId',
    documented({
      summary: 'One call in progress',
      tags: ['Calls'],
      params: callIdParams,
      response: {
        200: activeCallSchema.meta({ examples: [EXAMPLE_CALL] }),
        ...errorResponses('CS_ERR_NOT_FOUND'),
      },
    }),
    async (request) => {
      const call = (await sources.calls.active()).find((c) => c.callId === request.params.callId);
      if (!call) throw new CallsightError('CS_ERR_NOT_FOUND', `no active call ${request.params.callId}`);
      return call;
    },
  );
  app.get(
    '/api/routes',
    documented({
      summary: 'The SIP routes and the state of their targets',
      tags: ['Calls'],
      response: {
        200: z.object({ routes: z.array(routeSchema) }).meta({
          examples: [
            {
              routes: [
                {
                  name: 'pbx',
                  direction: 'Outbound',
                  target: 'sip',
                  authentication: null,
                  targets: [
                    {
                      uri: 'sip:pbx.example.net:5060',
                      state: 'up',
                      lastStatus: 200,
                      rttMs: 4.2,
                      lastChange: '2026-12-07T11:58:00.000Z',
                      lastPing: '2026-12-07T12:00:00.000Z',
                      priority: 1,
                      weight: 1,
                    },
                  ],
                },
              ],
            },
          ],
        }),
      },
    }),
    async () => ({ routes: await sources.routes.routes() }),
  );
  app.get(
    '/api/stream',
    documented({
      summary: "The data stream's last sequence number",
      description: 'Resume the WebSocket or GET /api/records from here.',
      tags: ['Records'],
      response: {
        200: z
          .object({ lastSequenceNumber: z.string() })
          .meta({ examples: [{ lastSequenceNumber: '1234' }] }),
      },
    }),
    async () => ({ lastSequenceNumber: sources.stream.lastSequence() }),
  );
}
