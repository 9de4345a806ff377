import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatOffset, type CallState, type SentimentPoint } from '../state/CallsModel.js';

const SERIES = [
  { role: 'CUSTOMER', name: 'Customer', color: 'var(--series-customer)', dash: undefined },
  { role: 'AGENT', name: 'Agent', color: 'var(--series-agent)', dash: '5 3' },
] as const;

/**
 * Sentiment per participant over the call: +1 positive … −1 negative, from call analytics utterances
 * (POSITIVE/NEGATIVE/NEUTRAL/MIXED) and voice tone analysis (positive − negative score). Each series
 * has its own line style as well as colour, and a text summary follows for screen readers.
 */
function SentimentChart({ call }: { call: CallState; version: number }) {
  const data = (points: readonly SentimentPoint[]) => [...points].sort((a, b) => a.t - b.t);
  const summary = SERIES.map(({ role, name }) => {
    const points = call.sentiment[role];
    const last = points.at(-1);
    return `${name}: ${points.length} points${last ? `, latest ${last.label.toLowerCase()} at ${formatOffset(last.t * 1000)}` : ''}`;
  }).join('; ');
  return (
    <figure style={{ margin: 0 }}>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 8, right: 12, bottom: 4, left: -18 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t: number) => formatOffset(t * 1000)}
              stroke="var(--fg-muted)"
              fontSize={11}
            />
            <YAxis domain={[-1, 1]} ticks={[-1, 0, 1]} stroke="var(--fg-muted)" fontSize={11} />
            <ReferenceLine y={0} stroke="var(--fg-muted)" />
            <Tooltip
              contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)', color: 'var(--fg)' }}
              labelFormatter={(t) => formatOffset(Number(t) * 1000)}
              formatter={(value) => (typeof value === 'number' ? value.toFixed(2) : String(value))}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {SERIES.map(({ role, name, color, dash }) => (
              <Line
                key={role}
                data={data(call.sentiment[role])}
                dataKey="value"
                name={name}
                stroke={color}
                strokeDasharray={dash}
                strokeWidth={2}
                dot={{ r: 2 }}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="muted" style={{ fontSize: '0.8rem' }}>
        {summary}
      </figcaption>
    </figure>
  );
}

export default memo(SentimentChart);
