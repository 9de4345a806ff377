import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One number a role reports on /metrics, read when scraped. */
export interface RoleMetric {
  readonly name: string;
  readonly help: string;
  readonly kind: 'gauge' | 'counter';
  readonly value: () => number;
}

/** `callsight_role_info{role="…"} 1` and the role's own metrics, added to a registry. */
export function registerRoleMetrics(registry: Registry, role: string, metrics: readonly RoleMetric[]): void {
  new Gauge({
    name: 'callsight_role_info',
    help: 'The roles this process runs.',
    labelNames: ['role'],
    registers: [registry],
  })
    .labels(role)
    .set(1);
  for (const metric of metrics) {
    if (metric.kind === 'gauge') {
      new Gauge({
        name: metric.name,
        help: metric.help,
        registers: [registry],
        collect() {
          this.set(metric.value());
        },
      });
    } else {
      new Counter({
        name: metric.name,
        help: metric.help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(metric.value());
        },
      });
    }
  }
}

/** A registry with the default process metrics, for a process without the gateway's. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
