import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { copyText } from '../clipboard.js';
import { formatClock, formatCount, plural } from '../format.js';
import { hrefFor, useThrottledSnapshot } from '../hooks.js';
import { FilteredMessages, subKey, type MessageEntry, type MessageFilter } from '../state/MessageLog.js';
import { DetailType } from '../../../client/src/DetailTypes.js';
import { arr, obj, str, type StreamRecord } from '../state/records.js';
import type { Store } from '../state/Store.js';
import { JsonView } from './JsonView.js';

/** The seed's filter options first, in its order; other types follow as they appear. */
const KNOWN_ORDER: readonly string[] = [
  DetailType.Transcribe,
  DetailType.TranscribeCallAnalytics,
  DetailType.CategoryEvent,
  DetailType.VoiceToneAnalysisStatus,
  DetailType.Recording,
  DetailType.VoiceAnalyticsStatus,
  DetailType.StreamingStatus,
  DetailType.StateChange,
  DetailType.RulesMatched,
  DetailType.CallAnalyticsMetadata,
  DetailType.Summarization,
];

export function Messages({ store, callId }: { store: Store; callId: string | null }) {
  const [types, setTypes] = useState<ReadonlySet<string>>(new Set());
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [paused, setPaused] = useState<{ items: readonly MessageEntry[]; auto: boolean } | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());

  // Typing does not refilter on every key: 10,000 messages are searched once the user pauses.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text), 200);
    return () => clearTimeout(timer);
  }, [text]);

  const filter: MessageFilter = useMemo(() => ({ types, callId, text: search }), [types, callId, search]);
  const filtered = useMemo(() => new FilteredMessages(store.log, filter), [store.log, filter]);
  filtered.update();

  const live = filtered.items;
  // A paused list is a snapshot: an erased call's messages leave it too.
  const forgets = store.log.forgets;
  const pausedItems = useMemo(
    () => paused?.items.filter((entry) => !store.log.isForgotten(entry.callId)),
    [paused, store.log, forgets],
  );
  const items = useThrottledSnapshot(
    pausedItems ?? live,
    `${live.length}:${live.at(-1)?.index ?? -1}`,
    LIST_REFRESH_MS,
  );
  const newSincePause = paused ? countNewer(live, paused.items.at(-1)?.index ?? -1) : 0;
  // Counts change with every batch; a few dozen entries at most, recomputed per render.
  const typeCounts = filtered
    .typeCounts()
    .sort((a, b) => orderOf(a.type) - orderOf(b.type) || a.type.localeCompare(b.type));

  const toggleType = (key: string) =>
    setTypes((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const toggleExpanded = useCallback(
    (seq: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (next.has(seq)) next.delete(seq);
        else next.add(seq);
        return next;
      }),
    [],
  );

  const onScrolledAway = useCallback(
    (away: boolean) => {
      if (away && !paused) setPaused({ items: live.slice(), auto: true });
      else if (!away && paused?.auto) setPaused(null);
    },
    [paused, live],
  );

  const calls = store.calls.list();
  const log = store.log;

  return (
    <div className="messages-view">
      <aside className="filters" aria-label="Message filters">
        <fieldset>
          <legend>Message types</legend>
          {typeCounts.length === 0 && <p className="muted">No messages yet.</p>}
          {typeCounts.map(({ type, count, subTypes }) => (
            <div key={type}>
              <label className="check">
                <input type="checkbox" checked={types.has(type)} onChange={() => toggleType(type)} />
                <span className="name">{type}</span>{' '}
                <span className="count" data-testid="type-count">
                  {formatCount(count)}
                </span>
              </label>
              {subTypes.map(({ subType, count: subCount }) => (
                <label className="check sub" key={subType}>
                  <input
                    type="checkbox"
                    checked={types.has(subKey(type, subType))}
                    onChange={() => toggleType(subKey(type, subType))}
                  />
                  <span className="name">{subType}</span>{' '}
                  <span className="count">{formatCount(subCount)}</span>
                </label>
              ))}
            </div>
          ))}
          {types.size > 0 && (
            <button type="button" onClick={() => setTypes(new Set())}>
              Show all types
            </button>
          )}
        </fieldset>
        <fieldset>
          <legend>
            <label htmlFor="call-filter">Call</label>
          </legend>
          <select
            id="call-filter"
            value={callId ?? ''}
            onChange={(e) => {
              window.location.hash = hrefFor.messages(e.target.value || null);
            }}
          >
            <option value="">All calls</option>
            {calls.map((c) => (
              <option key={c.callId} value={c.callId}>
                {`${c.fromNumber ?? '?'} → ${c.toNumber ?? '?'} (${c.callId.slice(0, 8)})`}
              </option>
            ))}
          </select>
        </fieldset>
        <fieldset>
          <legend>
            <label htmlFor="message-search">Search</label>
          </legend>
          <input
            id="message-search"
            type="search"
            placeholder="text in the JSON"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </fieldset>
      </aside>
      <section className="message-pane" aria-label="Messages">
        <div className="pane-toolbar">
          <strong role="status" data-testid="shown-count">
            {plural(items.length, 'message')}
          </strong>
          <span className="muted">newest first</span>
          <span className="spacer" style={{ flex: 1 }} />
          {paused && newSincePause > 0 && (
            <span className="badge warn">{formatCount(newSincePause)} new</span>
          )}
          <button
            type="button"
            aria-pressed={paused !== null}
            onClick={() => {
              if (paused) document.getElementById('message-list')?.scrollTo({ top: 0 });
              setPaused(paused ? null : { items: live.slice(), auto: false });
            }}
          >
            {paused ? 'Resume live' : 'Pause'}
          </button>
        </div>
        {log.evicted > 0 && (
          <p className="note" role="note">
            Showing the newest {formatCount(log.cap)} of {formatCount(log.received)} messages received; older
            ones were dropped from this page to bound its memory (the stream keeps them: /api/records).
          </p>
        )}
        <MessageList
          items={items}
          expanded={expanded}
          onToggle={toggleExpanded}
          onScrolledAway={onScrolledAway}
        />
      </section>
    </div>
  );
}

function orderOf(type: string): number {
  const i = KNOWN_ORDER.indexOf(type);
  return i < 0 ? KNOWN_ORDER.length : i;
}

/** Entries with an index above `index`, counted from the end (they are in index order). */
function countNewer(items: readonly MessageEntry[], index: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.index <= index) lo = mid + 1;
    else hi = mid;
  }
  return items.length - lo;
}

/**
 * A closed row's height, fixed in styles.css (`.message:not(.open)`): only opened rows are measured,
 * because measuring each new row as it mounts forced a style and layout pass in every frame.
 */
const COLLAPSED_ROW_PX = 31;

/**
 * How often, at most, the list shows newly arrived messages (the counts beside it follow every
 * frame; a message after a quiet spell shows at once). At a thousand messages a second each refresh
 * puts new text in every visible row, a layout of the whole list: 5 a second kept the page's tasks
 * under 50 ms on a 2-core machine where 10 a second sometimes did not.
 */
const LIST_REFRESH_MS = 200;

const MessageList = memo(function MessageList({
  items,
  expanded,
  onToggle,
  onScrolledAway,
}: {
  items: readonly MessageEntry[];
  expanded: ReadonlySet<string>;
  onToggle: (seq: string) => void;
  onScrolledAway: (away: boolean) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const count = items.length;
  // Newest first: row i shows items[count - 1 - i]. Closed rows are keyed by their place in the
  // list, not by message: at a thousand messages a second every refresh shows new messages in every
  // visible row, and a row that stays put while its text changes costs the browser far less than
  // one removed and another created (no new elements to style, nothing moved). An opened row is
  // keyed by its message, and measured under that key.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => parent.current,
    estimateSize: () => COLLAPSED_ROW_PX,
    overscan: 10,
    getItemKey: (i) => {
      const seq = items[count - 1 - i]?.seq;
      return seq !== undefined && expanded.has(seq) ? `${seq}:open` : i;
    },
  });
  const away = useRef(false);
  return (
    <div
      ref={parent}
      id="message-list"
      className="message-list"
      tabIndex={0}
      aria-label="Message list, newest first"
      onScroll={(e) => {
        // Scrolling down to read pauses the list (new messages would push it away); back on top resumes.
        const isAway = e.currentTarget.scrollTop > 40;
        if (isAway !== away.current) {
          away.current = isAway;
          onScrolledAway(isAway);
        }
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const entry = items[count - 1 - row.index]!;
          const open = expanded.has(entry.seq);
          return (
            <div
              key={row.key}
              data-index={row.index}
              ref={open ? virtualizer.measureElement : undefined}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                transform: `translateY(${row.start}px)`,
              }}
            >
              <MessageRow entry={entry} open={open} onToggle={onToggle} />
            </div>
          );
        })}
      </div>
    </div>
  );
});

const MessageRow = memo(function MessageRow({
  entry,
  open,
  onToggle,
}: {
  entry: MessageEntry;
  open: boolean;
  onToggle: (seq: string) => void;
}) {
  // Which message the toast is about: the row shows another message once the list moves on.
  const [copied, setCopied] = useState<{ seq: string; text: string } | null>(null);
  return (
    <article
      className={open ? 'message open' : 'message'}
      data-seq={entry.seq}
      data-type={entry.type}
      aria-label={`Message ${entry.seq}`}
    >
      <div className="message-head">
        <span className="seq mono">#{entry.seq}</span>
        <span className="muted">{formatClock(entry.time)}</span>
        <span className="badge">{entry.type}</span>
        {entry.subType && <span className="badge info">{entry.subType}</span>}
        <span className="preview">{previewOf(entry.record, entry.type)}</span>
        <button type="button" aria-expanded={open} onClick={() => onToggle(entry.seq)}>
          {open ? 'Hide JSON' : 'JSON'}
        </button>
        <button
          type="button"
          onClick={() => {
            void copyText(entry.raw).then((ok) => {
              setCopied({ seq: entry.seq, text: ok ? 'Copied' : 'Copy failed' });
              setTimeout(() => setCopied(null), 1500);
            });
          }}
        >
          Copy
        </button>
        <span className="toast" role="status">
          {copied?.seq === entry.seq ? copied.text : null}
        </span>
      </div>
      {open && <JsonView value={entry.record} label={`Message ${entry.seq} as JSON`} />}
    </article>
  );
});

/** One line saying what the message is about, from fields every viewer wants first. */
function previewOf(record: StreamRecord, type: string): string {
  const detail = obj(record.detail);
  switch (type) {
    case DetailType.Transcribe: {
      const event = obj(record.TranscriptEvent);
      const transcript = str(obj(arr(event.Alternatives)[0]).Transcript);
      return `${str(event.ChannelId) ?? ''} ${transcript ?? ''}`;
    }
    case DetailType.TranscribeCallAnalytics: {
      const event = obj(record.UtteranceEvent);
      return `${str(event.ParticipantRole) ?? ''} ${str(event.Sentiment) ?? ''} ${str(event.Transcript) ?? ''}`;
    }
    case DetailType.StreamingStatus:
      return `${str(detail.fromNumber) ?? '?'} → ${str(detail.toNumber) ?? '?'}`;
    case DetailType.StateChange:
      return str(detail.failureReason) ?? str(detail.mediaInsightsPipelineArn) ?? '';
    case DetailType.Summarization:
      return str(record.summarization) ?? '';
    default:
      return str(detail.callId) ?? str(detail.reason) ?? str(detail.ruleName) ?? '';
  }
}
