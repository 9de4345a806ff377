import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatOffset, type CallState, type SentimentPoint } from '../state/CallsModel.js';

const SERIES = [
  { role: 'CUSTOMER', name: 'Customer', color: '--series-customer', dash: undefined },
  { role: 'AGENT', name: 'Agent', color: '--series-agent', dash: [6, 4] },
] as const;

/** Both series on one x axis (uPlot's aligned data), gaps where a participant has no point. */
function aligned(call: CallState): uPlot.AlignedData {
  const times = [...new Set(SERIES.flatMap(({ role }) => call.sentiment[role].map((p) => p.t)))].sort(
    (a, b) => a - b,
  );
  const column = (points: readonly SentimentPoint[]) => {
    const at = new Map(points.map((p) => [p.t, p.value]));
    return times.map((t) => at.get(t) ?? null);
  };
  return [times, ...SERIES.map(({ role }) => column(call.sentiment[role]))];
}

/** The theme changes when the toggle sets data-theme or the system preference flips. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    return () => {
      observer.disconnect();
      media.removeEventListener('change', bump);
    };
  }, []);
  return version;
}

/**
 * Sentiment per participant over the call: +1 positive … −1 negative, from call analytics utterances
 * (POSITIVE/NEGATIVE/NEUTRAL/MIXED) and voice tone analysis (positive − negative score). uPlot draws on
 * a canvas in a millisecond or two, so an update never holds the main thread; each series has its own
 * dash as well as colour, and a text summary follows for screen readers.
 */
function SentimentChart({ call }: { call: CallState; version: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useThemeVersion();

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let resize: ResizeObserver | null = null;
    const cancel = afterNextPaint(() => {
      const chart = createChart(element, call);
      plot.current = chart;
      resize = new ResizeObserver(() => chart.setSize(chartSize(element)));
      resize.observe(element);
    });
    return () => {
      cancel();
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt for a new call or theme only (call is read for the first data); updates go through setData.
  }, [call.callId, theme]);

  useEffect(() => {
    plot.current?.setData(aligned(call));
  });

  const summary = SERIES.map(({ role, name }) => {
    const points = call.sentiment[role];
    const last = points.at(-1);
    return `${name}: ${points.length} points${last ? `, latest ${last.label.toLowerCase()} at ${formatOffset(last.t * 1000)}` : ''}`;
  }).join('; ');
  return (
    <figure style={{ margin: 0 }}>
      <div className="chart-box" ref={box} aria-hidden="true" data-testid="sentiment-chart" />
      <figcaption className="muted" style={{ fontSize: '0.8rem' }}>
        {summary}
      </figcaption>
    </figure>
  );
}

/**
 * Runs `task` in a task of its own once the browser has painted the next frame; returns a cancel.
 * A new chart reads the page's styles and sizes and draws: done in the task that commits the view
 * (or in the frame that lays it out) it made that task the page's longest, 30–65 ms on a slow machine.
 */
function afterNextPaint(task: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(task, 0)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

const chartSize = (element: HTMLElement) => ({ width: Math.max(200, element.clientWidth), height: 170 });

function createChart(element: HTMLElement, call: CallState): uPlot {
  const css = getComputedStyle(document.documentElement);
  const color = (name: string) => css.getPropertyValue(name).trim() || '#888';
  const axis = {
    stroke: color('--fg-muted'),
    grid: { stroke: color('--border'), width: 1 },
    ticks: { stroke: color('--border'), width: 1 },
    font: '11px system-ui, sans-serif',
  };
  return new uPlot(
    {
      ...chartSize(element),
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { range: [-1.05, 1.05] } },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => formatOffset(t * 1000)) },
        { ...axis, size: 32, splits: () => [-1, 0, 1] },
      ],
      series: [
        { label: 'time', value: (_u, t) => (t === null ? '' : formatOffset(t * 1000)) },
        ...SERIES.map(({ name, color: variable, dash }) => ({
          label: name,
          stroke: color(variable),
          width: 2,
          spanGaps: true,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : v.toFixed(2)),
          ...(dash ? { dash: [...dash] } : {}),
        })),
      ],
    },
    aligned(call),
    element,
  );
}

export default memo(SentimentChart);
