import diagnostics_channel from 'node:diagnostics_channel';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

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

/** One value of a labelled gauge or counter. */
export interface LabelledValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A gauge or counter with labels, read when scraped (e.g. per worker, per state). */
export interface LabelledMetric {
  readonly name: string;
  readonly help: string;
  readonly kind: 'labelled-gauge' | 'labelled-counter';
  readonly labelNames: readonly string[];
  readonly values: () => readonly LabelledValue[];
}

export function labelledGauge(
  name: string,
  help: string,
  labelNames: readonly string[],
  values: LabelledMetric['values'],
): LabelledMetric {
  return { name, help, kind: 'labelled-gauge', labelNames, values };
}

export function labelledCounter(
  name: string,
  help: string,
  labelNames: readonly string[],
  values: LabelledMetric['values'],
): LabelledMetric {
  return { name, help, kind: 'labelled-counter', labelNames, values };
}

/**
 * A counter or histogram fed where things happen (a SIP response sent, a result recognised): the
 * owner declares it and calls `record`, which publishes on a diagnostics channel — nothing is done
 * while no registry has taken the metric, and the owner needs no registry of its own.
 */
export interface EventMetric {
  readonly name: string;
  readonly help: string;
  readonly kind: 'event-counter' | 'event-histogram';
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

export function eventCounter(name: string, help: string, labelNames: readonly string[] = []): EventMetric {
  return { name, help, kind: 'event-counter', labelNames };
}

export function eventHistogram(
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly string[] = [],
): EventMetric {
  return { name, help, kind: 'event-histogram', labelNames, buckets };
}

interface MetricEvent {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const channelOf = (metric: EventMetric) => diagnostics_channel.channel(`callsight:metric:${metric.name}`);

/** Counts (by `value`, default 1) or observes `value` for an EventMetric. */
export function record(metric: EventMetric, labels: Readonly<Record<string, string>> = {}, value = 1): void {
  const channel = channelOf(metric);
  if (channel.hasSubscribers) channel.publish({ labels, value } satisfies MetricEvent);
}

export type AnyMetric = ScrapedMetric | LabelledMetric | EventMetric;

/** Adds each metric to the registry (a process's own, not prom-client's global one). */
export function registerScrapedMetrics(registry: Registry, metrics: readonly AnyMetric[]): void {
  for (const metric of metrics) {
    const { name, help } = metric;
    switch (metric.kind) {
      case 'gauge':
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            const value = metric.value();
            if (value !== undefined) this.set(value);
          },
        });
        break;
      case 'counter':
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
        break;
      case 'labelled-gauge':
      case 'labelled-counter': {
        const options = {
          name,
          help,
          labelNames: [...metric.labelNames],
          registers: [registry],
        };
        const values = metric.values;
        if (metric.kind === 'labelled-gauge')
          new Gauge({
            ...options,
            collect() {
              this.reset();
              for (const { labels, value } of values()) this.set(labels, value);
            },
          });
        else
          new Counter({
            ...options,
            collect() {
              this.reset();
              for (const { labels, value } of values()) this.inc(labels, value);
            },
          });
        break;
      }
      case 'event-counter': {
        const counter = new Counter({
          name,
          help,
          labelNames: [...metric.labelNames],
          registers: [registry],
        });
        diagnostics_channel.subscribe(channelOf(metric).name, (message) => {
          const { labels, value } = message as MetricEvent;
          counter.inc(labels, value);
        });
        break;
      }
      case 'event-histogram': {
        const histogram = new Histogram({
          name,
          help,
          labelNames: [...metric.labelNames],
          buckets: [...(metric.buckets ?? [])],
          registers: [registry],
        });
        diagnostics_channel.subscribe(channelOf(metric).name, (message) => {
          const { labels, value } = message as MetricEvent;
          histogram.observe(labels, value);
        });
        break;
      }
    }
  }
}
