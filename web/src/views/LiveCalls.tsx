import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import { formatClock, formatCount, formatDuration, roleLabel } from '../format.js';
import { hrefFor, useNow } from '../hooks.js';
import { ROLES, type CallState } from '../state/CallsModel.js';
import type { Store } from '../state/Store.js';

const ROW_HEIGHT = 41;
const HEADER_HEIGHT = 34;

/**
 * Active calls first, then recent ones; a row opens the call. Only the rows on screen are rendered,
 * in a fixed-layout table, so that hundreds of calls updating every frame cost a few rows of layout.
 */
export function LiveCalls({ store }: { store: Store }) {
  const now = useNow(1000);
  const calls = store.calls.list();
  const live = calls.filter((c) => c.phase !== 'ended').length;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: calls.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    paddingStart: HEADER_HEIGHT,
    overscan: 8,
    getItemKey: (i) => calls[i]?.callId ?? i,
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows.length > 0 ? rows[0]!.start - HEADER_HEIGHT : 0;
  const after = rows.length > 0 ? virtualizer.getTotalSize() - rows.at(-1)!.end : 0;
  return (
    <div className="page calls-page">
      <h1>
        Live calls{' '}
        <span className="muted">
          ({live} active, {calls.length - live} recent)
        </span>
      </h1>
      {calls.length === 0 ? (
        <p className="empty">
          No calls yet. Point a SIP trunk at Callsight, or place a demo call with{' '}
          <code>npm run demo-call</code>.
        </p>
      ) : (
        <div className="calls-scroll" ref={scroller}>
          <table className="calls" aria-label="Calls" aria-rowcount={calls.length + 1}>
            <colgroup>
              <col style={{ width: '7%' }} />
              <col style={{ width: '27%' }} />
              <col style={{ width: '9%' }} />
              <col style={{ width: '11%' }} />
              <col style={{ width: '8%' }} />
              <col style={{ width: '22%' }} />
              <col style={{ width: '8%' }} />
              <col style={{ width: '8%' }} />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">From → To</th>
                <th scope="col">Direction</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Sentiment</th>
                <th scope="col">Alerts</th>
                <th scope="col">Messages</th>
              </tr>
            </thead>
            <tbody>
              {before > 0 && (
                <tr aria-hidden="true" style={{ height: before }}>
                  <td colSpan={8} />
                </tr>
              )}
              {rows.map((row) => {
                const call = calls[row.index]!;
                return (
                  <CallRow
                    key={call.callId}
                    call={call}
                    version={call.version}
                    position={row.index + 2}
                    now={call.phase === 'ended' ? 0 : now}
                  />
                );
              })}
              {after > 0 && (
                <tr aria-hidden="true" style={{ height: after }}>
                  <td colSpan={8} />
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const CallRow = memo(function CallRow({
  call,
  position,
  now,
}: {
  call: CallState;
  version: number;
  position: number;
  now: number;
}) {
  const started = call.startedAt;
  const duration =
    started === null ? null : ((call.phase === 'ended' ? (call.endedAt ?? started) : now) - started) / 1000;
  const alerts = call.alerts.length;
  const critical = call.alerts.some((a) => a.severity === 'critical');
  return (
    <tr
      aria-rowindex={position}
      data-call-id={call.callId}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a')) return;
        window.location.hash = hrefFor.call(call.callId);
      }}
    >
      <td>
        <span className={`badge ${call.phase}`}>{call.phase === 'starting' ? 'ringing' : call.phase}</span>
      </td>
      <td>
        {/* Numbers come from SIP headers: text nodes only, never HTML. */}
        <a href={hrefFor.call(call.callId)} className="call-link">
          {call.fromNumber ?? '?'} → {call.toNumber ?? '?'}
        </a>
      </td>
      <td>{call.direction ?? '—'}</td>
      <td className="num">{formatClock(started)}</td>
      <td className="num" data-testid="duration">
        {duration === null ? '—' : formatDuration(duration)}
      </td>
      <td>
        <span className="sentiments">
          {ROLES.map((role) =>
            call.currentSentiment[role] ? (
              <span key={role} className={`badge ${call.currentSentiment[role]}`}>
                {roleLabel(role)}: {call.currentSentiment[role].toLowerCase()}
              </span>
            ) : null,
          )}
          {!call.currentSentiment.AGENT && !call.currentSentiment.CUSTOMER && (
            <span className="muted">—</span>
          )}
        </span>
      </td>
      <td>
        {alerts > 0 ? (
          <span className={`badge ${critical ? 'critical' : 'warning'}`} aria-label={`${alerts} alerts`}>
            ⚠ {alerts}
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num">{formatCount(call.messages)}</td>
    </tr>
  );
});
