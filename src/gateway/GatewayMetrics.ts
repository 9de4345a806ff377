import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataStream } from '../stream/StreamTypes.js';
import type { GatewayCounts } from './WebSocketGateway.js';

export interface GatewayMetricsSource {
  counts(): GatewayCounts;
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
  new Gauge({
    name: 'callsight_ws_clients',
    help: 'WebSocket clients connected now.',
    registers: [registry],
    collect() {
      this.set(source.counts().connectedClients);
    },
  });
  new Counter({
    name: 'callsight_ws_frames_sent_total',
    help: 'Record frames sent to WebSocket clients.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.counts().framesSent);
    },
  });
  new Counter({
    name: 'callsight_ws_slow_disconnects_total',
    help: 'WebSocket clients closed with 4008 for falling behind.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.counts().slowDisconnects);
    },
  });
  new Gauge({
    name: 'callsight_stream_last_sequence',
    help: 'Sequence number of the newest record on the data stream.',
    registers: [registry],
    collect() {
      try {
        this.set(Number(source.stream.lastSequence()));
      } catch {
        // A closed stream has no last sequence to report; the scrape still succeeds.
      }
    },
  });
  return registry;
}
