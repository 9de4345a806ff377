import { Registry, collectDefaultMetrics } from 'prom-client';
import { counter, gauge, registerScrapedMetrics } from '../platform/metrics.js';
import type { DataStream } from '../stream/StreamTypes.js';
import { httpDeadlineMetrics, type HttpDeadlines } from './HttpDeadlines.js';
import type { GatewayCounts } from './WebSocketGateway.js';

export interface GatewayMetricsSource {
  counts(): GatewayCounts;
  readonly deadlines: HttpDeadlines;
  readonly stream: DataStream;
}

/**
 * A Prometheus registry with the default process metrics and the gateway's counters. Values are read
 * when scraped, so the hot path only bumps plain integers. Its own registry (not prom-client's global)
 * lets several servers live in one process, as tests do.
 */
export function createGatewayMetrics(source: GatewayMetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerScrapedMetrics(registry, [
    gauge('callsight_ws_clients', 'WebSocket clients connected now.', () => source.counts().connectedClients),
    counter(
      'callsight_ws_frames_sent_total',
      'Record frames sent to WebSocket clients.',
      () => source.counts().framesSent,
    ),
    counter(
      'callsight_ws_slow_disconnects_total',
      'WebSocket clients closed with 4008 for falling behind.',
      () => source.counts().slowDisconnects,
    ),
    counter(
      'callsight_ws_refused_clients_total',
      'WebSocket upgrades refused with 503: http.wsMaxClients or http.wsMaxClientsPerSource reached.',
      () => source.counts().refusedClients,
    ),
    ...httpDeadlineMetrics(source.deadlines),
    gauge(
      'callsight_stream_last_sequence',
      'Sequence number of the newest record on the data stream.',
      () => {
        try {
          return Number(source.stream.lastSequence());
        } catch {
          // A closed stream has no last sequence to report; the scrape still succeeds.
          return undefined;
        }
      },
    ),
  ]);
  return registry;
}
