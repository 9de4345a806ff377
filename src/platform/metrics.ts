import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * A number a part reports on /metrics, declared by the part that keeps it and read when scraped, so
 * the hot path only bumps a plain integer.
 */
export interface ScrapedMetric {
  readonly name: string;
  readonly help: string;
  readonly kind: 'gauge' | 'counter';
  /** The value now; undefined keeps the last one reported (e.g. a closed stream has none). */
  readonly value: () => number | undefined;
}

/** A value that goes up and down. */
export function gauge(name: string, help: string, value: ScrapedMetric['value']): ScrapedMetric {
  return { name, help, kind: 'gauge', value };
}

/** A total that only grows (read as a whole at each scrape). */
export function counter(name: string, help: string, value: ScrapedMetric['value']): ScrapedMetric {
  return { name, help, kind: 'counter', value };
}

/** Adds each metric to the registry (a process's own, not prom-client's global one). */
export function registerScrapedMetrics(registry: Registry, metrics: readonly ScrapedMetric[]): void {
  for (const metric of metrics) {
    const { name, help } = metric;
    if (metric.kind === 'gauge') {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = metric.value();
          if (value !== undefined) this.set(value);
        },
      });
    } else {
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const value = metric.value();
          if (value === undefined) return;
          this.reset();
          this.inc(value);
        },
      });
    }
  }
}
