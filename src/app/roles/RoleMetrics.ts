import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { registerScrapedMetrics, type AnyMetric } from '../../platform/metrics.js';
import { RECORDS_APPENDED } from '../../stream/AppendCheck.js';

/** `callsight_role_info{role="…"} 1` and the metrics of the role's parts, added to a registry. */
export function registerRoleMetrics(registry: Registry, role: string, metrics: readonly AnyMetric[]): void {
  new Gauge({
    name: 'callsight_role_info',
    help: 'The roles this process runs.',
    labelNames: ['role'],
    registers: [registry],
  })
    .labels(role)
    .set(1);
  // Every role may append to the data stream (events, pipeline records).
  registerScrapedMetrics(registry, [...metrics, RECORDS_APPENDED]);
}

/** A registry with the default process metrics, for a process without the gateway's. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
