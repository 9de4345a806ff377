import { Gauge, Histogram, type Registry } from 'prom-client';
import type { TargetMonitor } from './TargetMonitor.js';

/** Round trips of OPTIONS on loopback, a LAN and the internet: 1 ms to 5 s (the ping timeout). */
const RTT_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The routes' targets on /metrics: `callsight_trunk_target_up{target}` (1 up, 0 down; absent until
 * the first ping has an outcome) and a histogram of the OPTIONS round-trip times per target.
 */
export function registerTargetMetrics(registry: Registry, monitor: TargetMonitor): void {
  new Gauge({
    name: 'callsight_trunk_target_up',
    help: "Whether a route's SIP target answers OPTIONS pings (1) or not (0).",
    labelNames: ['target'],
    registers: [registry],
    collect() {
      this.reset();
      for (const target of monitor.states())
        if (target.state !== 'unknown') this.labels(target.uri).set(target.state === 'up' ? 1 : 0);
    },
  });
  const rtt = new Histogram({
    name: 'callsight_trunk_target_options_rtt_seconds',
    help: "Round-trip time of the OPTIONS pings a route's SIP target answered.",
    labelNames: ['target'],
    buckets: RTT_BUCKETS_SECONDS,
    registers: [registry],
  });
  monitor.on('answered', (uri, rttMs) => rtt.labels(uri).observe(rttMs / 1000));
}
