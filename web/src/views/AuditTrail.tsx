import { useMemo, useState } from 'react';
import { formatCount } from '../format.js';
import { describeTarget, type AuditEntry, type AuditFilter } from '../state/AuditLog.js';
import type { Store } from '../state/Store.js';

/** Rows rendered at most: the newest; the filter narrows the rest. */
const SHOWN = 500;

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

function when(time: string | null): string {
  if (time === null) return '—';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : timeFormat.format(date);
}

/**
 * The audit trail: the `Callsight Audit` records of the stream (admins' streams carry them), from
 * the page's starting point on and live as they arrive.
 */
export function AuditTrail({ store }: { store: Store }) {
  const audit = store.audit;
  const [filter, setFilter] = useState<AuditFilter>({ action: null, failuresOnly: false, text: '' });
  const version = audit.version;
  const shown = useMemo(() => audit.select(filter), [audit, version, filter]);
  const actions = useMemo(() => audit.actions(), [audit, version]);
  return (
    <div className="page admin-page">
      <h1>Audit trail</h1>
      <p className="muted">
        Sign-ins, every change through the API, pipeline control, recording downloads and erasures: who, what,
        when and from where. Past records come from the page's starting point in the stream; new ones appear
        as they happen.
      </p>
      <div className="toolbar" role="search" aria-label="Filter the audit trail">
        <label>
          Action{' '}
          <select
            value={filter.action ?? ''}
            onChange={(e) => setFilter({ ...filter, action: e.target.value || null })}
          >
            <option value="">All actions ({formatCount(audit.entries.length)})</option>
            {actions.map(([action, count]) => (
              <option key={action} value={action}>
                {action} ({formatCount(count)})
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filter.failuresOnly}
            onChange={(e) => setFilter({ ...filter, failuresOnly: e.target.checked })}
          />{' '}
          Failures only
        </label>
        <input
          type="search"
          placeholder="Who, target or address"
          aria-label="Search who, target or address"
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
        />
        <span className="muted" data-testid="audit-count" aria-live="polite">
          {formatCount(shown.length)} record{shown.length === 1 ? '' : 's'}
          {shown.length > SHOWN ? `, the newest ${SHOWN} shown` : ''}
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="empty">No audit records{audit.entries.length > 0 ? ' match' : ' yet'}.</p>
      ) : (
        <table className="admin-table" aria-label="Audit records">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">From where</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, SHOWN).map((entry) => (
              <AuditRow key={entry.seq} entry={entry} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr data-testid="audit-row" data-action={entry.action} data-seq={entry.seq}>
      <td className="num">{when(entry.time)}</td>
      <td>
        {entry.actor} {entry.actorKind !== 'user' && <span className="muted">({entry.actorKind})</span>}
      </td>
      <td className="mono">{entry.action}</td>
      <td className="mono">
        {describeTarget(entry.target) || (entry.callId ? `call ${entry.callId}` : '—')}
      </td>
      <td>
        <span className={`badge ${entry.outcome === 'success' ? 'ok' : 'bad'}`}>
          {entry.outcome}
          {entry.status !== null ? ` ${entry.status}` : ''}
        </span>
      </td>
      <td className="mono">{entry.remoteAddress || '—'}</td>
    </tr>
  );
}
