import { Fragment, Suspense, lazy, memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  ApiError,
  activeCalls,
  eraseCall,
  pipelineChannelRoles,
  postCallDocument,
  setPipelineStatus,
  stopPipeline,
  type ActiveCall,
  type PostCallDocument,
} from '../api.js';
import { copyText } from '../clipboard.js';
import { formatClock, formatDuration, roleLabel } from '../format.js';
import { hrefFor, useNow } from '../hooks.js';
import type { Can } from '../permissions.js';
import {
  ROLES,
  formatOffset,
  type CallState,
  type PipelineInfo,
  type PostCallInfo,
  type Segment,
} from '../state/CallsModel.js';
import type { Store } from '../state/Store.js';
import { annotateTranscript } from '../state/TranscriptText.js';
import { ConfirmButton, errorText } from './Controls.js';

// The chart library is the heaviest dependency: not in the entry chunk, and loaded while the page
// is idle, so that neither its download nor its start-up lands in the opening of a call.
const loadSentimentChart = () => import('./SentimentChart.js');
const SentimentChart = lazy(loadSentimentChart);

/** Loads what a call view needs beyond the entry chunk, once the page has nothing else to do. */
export function preloadCallView(): void {
  const preload = () => void loadSentimentChart();
  // Safari has no requestIdleCallback: a second after start is idle enough there.
  if (typeof requestIdleCallback === 'function') requestIdleCallback(preload, { timeout: 5000 });
  else setTimeout(preload, 1000);
}

/** Pipelines whose channel roles were already asked for (once per page). */
const askedForRoles = new Set<string>();

/**
 * One call: transcript, pipeline, sentiment, alerts, recording, summary. What the role may not use
 * is not shown (`can`): pipeline control and recordings from supervisor up, erasure for admins.
 */
export function CallView({ store, callId, can }: { store: Store; callId: string; can: Can }) {
  const call = store.calls.get(callId);
  const now = useNow(1000);
  const [erased, setErased] = useState<string | null>(null);
  const pipelineIds = call && can('read') ? [...call.pipelines.keys()].join(',') : '';
  useEffect(() => {
    for (const id of pipelineIds.split(',').filter(Boolean)) {
      if (askedForRoles.has(id)) continue;
      askedForRoles.add(id);
      pipelineChannelRoles(id)
        .then((roles) => store.update(() => store.calls.setChannelRoles(callId, roles)))
        .catch(() => undefined); // a stopped pipeline may be gone: the default mapping stays
    }
  }, [store, callId, pipelineIds]);
  if (!call && erased !== null)
    return (
      <div className="page">
        <h1>Call erased</h1>
        <p role="status">
          {erased} <a href={hrefFor.calls()}>Back to the calls</a>
        </p>
      </div>
    );
  if (!call)
    return (
      <div className="page">
        <h1>Call not found</h1>
        <p className="muted">
          No record of call <code>{callId}</code> has arrived (yet).{' '}
          <a href={hrefFor.calls()}>Back to the calls</a>
        </p>
      </div>
    );
  const duration =
    call.startedAt === null
      ? null
      : ((call.phase === 'ended' ? (call.endedAt ?? now) : now) - call.startedAt) / 1000;
  return (
    <div className="call-view">
      <header className="view-header">
        <h1>
          {call.fromNumber ?? '?'} → {call.toNumber ?? '?'}
        </h1>
        <span className={`badge ${call.phase}`}>{call.phase === 'starting' ? 'ringing' : call.phase}</span>
        <span className="muted">{call.direction ?? ''}</span>
        <span className="muted">started {formatClock(call.startedAt)}</span>
        <span className="num" aria-label="duration">
          {duration === null ? '' : formatDuration(duration)}
        </span>
        <span className="muted mono">{call.callId}</span>
        <a href={hrefFor.messages(call.callId)}>Messages of this call ({call.messages})</a>
        {can('erase') && (
          <EraseCall
            callId={call.callId}
            ended={call.phase === 'ended'}
            onErased={(report) => {
              setErased(report);
              store.update(() => store.forgetCall(call.callId));
            }}
          />
        )}
      </header>
      <Transcript call={call} version={call.version} />
      <aside className="side" aria-label="Call details">
        <Pipelines call={call} canControl={can('control')} />
        <section aria-labelledby="sentiment-h">
          <h2 id="sentiment-h">Sentiment</h2>
          <p className="sentiments">
            {ROLES.map((role) => (
              <span key={role} className={`badge ${call.currentSentiment[role] ?? ''}`}>
                {roleLabel(role)}: {call.currentSentiment[role]?.toLowerCase() ?? 'n/a'}
              </span>
            ))}
          </p>
          {call.sentiment.AGENT.length + call.sentiment.CUSTOMER.length > 0 ? (
            <Suspense fallback={<p className="muted">Loading chart…</p>}>
              <SentimentChart call={call} version={call.version} />
            </Suspense>
          ) : (
            <p className="muted">
              No sentiment yet: it comes from call analytics utterances and voice tone analysis, when the
              call's configuration has them.
            </p>
          )}
        </section>
        <Alerts call={call} />
        {call.recordings.length > 0 && can('recordings') && (
          <section aria-labelledby="recording-h">
            <h2 id="recording-h">Recording</h2>
            {call.recordings.map((r) => (
              <div key={r.seq}>
                {r.url ? (
                  <>
                    <audio controls preload="none" src={r.url} aria-label={`Recording ${r.name}`} />
                    <a href={r.url} download>
                      {r.name}
                    </a>
                  </>
                ) : (
                  <span>{r.name} (no browser-fetchable URL)</span>
                )}
                {r.durationSeconds !== null && (
                  <span className="muted"> · {formatDuration(r.durationSeconds)}</span>
                )}
                {r.subtype && <span className="muted"> · {r.subtype}</span>}
              </div>
            ))}
          </section>
        )}
        {call.summary !== null && (
          <section aria-labelledby="summary-h">
            <h2 id="summary-h">Summary</h2>
            <p className="summary">{call.summary}</p>
          </section>
        )}
        {call.postCall && <PostCall info={call.postCall} />}
        {call.phase !== 'ended' && can('read') && <RtpStats callId={call.callId} />}
        <details>
          <summary>INVITE headers ({Object.keys(call.inviteHeaders).length})</summary>
          <dl className="fields">
            {Object.entries(call.inviteHeaders).map(([name, value]) => (
              <Field key={name} name={name} value={value} />
            ))}
          </dl>
        </details>
      </aside>
    </div>
  );
}

/** Post-call analytics: the headline figures of the document, and the document itself. */
function PostCall({ info }: { info: PostCallInfo }) {
  const [doc, setDoc] = useState<PostCallDocument | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!info.documentUrl) return;
    let cancelled = false;
    postCallDocument(info.documentUrl)
      .then((d) => !cancelled && setDoc(d))
      .catch((err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [info.documentUrl]);
  const cc = doc?.ConversationCharacteristics;
  const seconds = (ms: number | undefined) => (typeof ms === 'number' ? formatDuration(ms / 1000) : '—');
  return (
    <section aria-labelledby="postcall-h">
      <h2 id="postcall-h">Post-call analytics</h2>
      <p>
        <span className="badge info">{info.status}</span>{' '}
        {info.documentUrl && (
          <a href={info.documentUrl} target="_blank" rel="noreferrer">
            document (JSON)
          </a>
        )}
      </p>
      {error && <p className="error-text">{error}</p>}
      {cc ? (
        <dl className="fields" data-testid="post-call">
          <dt>Duration</dt>
          <dd>{seconds(cc.TotalConversationDurationMillis)}</dd>
          {ROLES.map((role) => (
            <Fragment key={role}>
              <dt>{roleLabel(role)}</dt>
              <dd>
                sentiment {cc.Sentiment?.OverallSentiment?.[role]?.toFixed(1) ?? '—'} (−5…+5), talk{' '}
                {seconds(cc.TalkTime?.DetailsByParticipant?.[role]?.TotalTimeMillis)},{' '}
                {cc.TalkSpeed?.DetailsByParticipant?.[role]?.AverageWordsPerMinute ?? '—'} wpm
              </dd>
            </Fragment>
          ))}
          <dt>Silence</dt>
          <dd>{seconds(cc.NonTalkTime?.TotalTimeMillis)}</dd>
          <dt>Interruptions</dt>
          <dd>{cc.Interruptions?.TotalCount ?? '—'}</dd>
          {(doc?.Categories?.MatchedCategories?.length ?? 0) > 0 && (
            <>
              <dt>Categories</dt>
              <dd>{doc.Categories!.MatchedCategories!.join(', ')}</dd>
            </>
          )}
        </dl>
      ) : (
        !info.documentUrl && (
          <dl className="fields">
            {info.fields.map((f) => (
              <Field key={f.name} name={f.name} value={f.value} />
            ))}
          </dl>
        )
      )}
    </section>
  );
}

function Field({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className="mono">{value}</dd>
    </>
  );
}

/** The conversation, oldest first, sticking to the bottom while the user has not scrolled up. */
const Transcript = memo(function Transcript({ call }: { call: CallState; version: number }) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [copied, setCopied] = useState<string | null>(null);
  // At the next frame, before it is painted, not in React's commit: reading scrollHeight there would
  // force the whole new view's style and layout into the same task as its rendering.
  useLayoutEffect(() => {
    const frame = requestAnimationFrame(() => {
      const el = box.current;
      if (el && stick.current) el.scrollTop = el.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  });
  const finals = call.segments.filter((s) => !s.partial);
  return (
    <section className="transcript-pane" aria-labelledby="transcript-h">
      <div className="pane-toolbar">
        <h2 id="transcript-h" style={{ margin: 0, fontSize: '1rem' }}>
          Transcript
        </h2>
        <span className="muted">{finals.length} utterances</span>
        <span style={{ flex: 1 }} />
        <button
          type="button"
          disabled={finals.length === 0}
          onClick={() => {
            const text = finals.map((s) => `[${roleLabel(s.role)}] ${redactedText(s)}`).join('\n');
            void copyText(text).then((ok) => {
              setCopied(ok ? 'Transcript copied' : 'Copy failed');
              setTimeout(() => setCopied(null), 1500);
            });
          }}
        >
          Copy transcript
        </button>
        <span className="toast" role="status">
          {copied}
        </span>
      </div>
      <div
        ref={box}
        className="transcript"
        role="log"
        aria-label="Transcript"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {call.segments.length === 0 && <p className="muted">No speech transcribed yet.</p>}
        {call.segments.map((segment) => (
          <Utterance key={segment.key} segment={segment} />
        ))}
      </div>
    </section>
  );
});

const Utterance = memo(function Utterance({ segment }: { segment: Segment }) {
  const pieces = annotateTranscript(segment.text, segment.pii, segment.issues);
  const classes = [
    'utterance',
    segment.role,
    segment.partial ? 'partial' : 'final',
    segment.alerts.length ? 'alerted' : '',
  ];
  return (
    <div
      className={classes.join(' ')}
      data-testid="utterance"
      data-partial={segment.partial}
      data-role={segment.role}
    >
      <div className="meta">
        <span className="who">{roleLabel(segment.role)}</span>
        <span>{formatOffset(segment.start * 1000)}</span>
        {segment.partial && <span>(speaking…)</span>}
        {segment.sentiment && (
          <span className={`badge ${segment.sentiment}`}>{segment.sentiment.toLowerCase()}</span>
        )}
        {segment.issues.length > 0 && <span className="badge warning">issue</span>}
        {segment.alerts.map((rule) => (
          <span key={rule} className="badge warning">
            ⚠ {rule}
          </span>
        ))}
      </div>
      <div className="text">
        {pieces.map((piece, i) => {
          if (piece.kind === 'pii') {
            const chip = (
              <span className="pii" title={`redacted ${piece.type}`}>
                [{piece.type}]
              </span>
            );
            return piece.issue ? (
              <mark key={i} className="issue">
                {chip}
              </mark>
            ) : (
              <span key={i}>{chip}</span>
            );
          }
          return piece.issue ? (
            <mark key={i} className="issue" title="issue detected">
              {piece.text}
            </mark>
          ) : (
            <span key={i}>{piece.text}</span>
          );
        })}
      </div>
    </div>
  );
});

function redactedText(segment: Segment): string {
  return annotateTranscript(segment.text, segment.pii, [])
    .map((p) => (p.kind === 'pii' ? `[${p.type}]` : p.text))
    .join('');
}

/** Erasure (admins): only once the call has ended, after a confirming second press. */
function EraseCall({
  callId,
  ended,
  onErased,
}: {
  callId: string;
  ended: boolean;
  onErased: (report: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const erase = () => {
    setBusy(true);
    setError(null);
    eraseCall(callId)
      .then((report) => {
        const removed = Object.entries(report.removed)
          .map(([part, n]) => `${n} ${part}`)
          .join(', ');
        onErased(`Call ${callId} erased (${removed || 'nothing was left'}).`);
      })
      .catch((err: unknown) => setError(`Not erased: ${errorText(err)}`))
      .finally(() => setBusy(false));
  };
  return (
    <span className="erase">
      <ConfirmButton
        label="Erase call…"
        question="Erase every record, recording and analytics document of this call? This cannot be undone."
        confirmLabel="Erase"
        disabled={busy || !ended}
        onConfirm={erase}
      />
      {!ended && <span className="muted"> (once it has ended)</span>}
      {error && (
        <span className="error-text" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}

function Pipelines({ call, canControl }: { call: CallState; canControl: boolean }) {
  const pipelines = [...call.pipelines.values()];
  return (
    <section aria-labelledby="pipeline-h">
      <h2 id="pipeline-h">Pipeline</h2>
      {pipelines.length === 0 && <p className="muted">No media insights pipeline for this call.</p>}
      {pipelines.map((p) => (
        <PipelineControls key={p.id} pipeline={p} canControl={canControl} />
      ))}
    </section>
  );
}

function PipelineControls({ pipeline, canControl }: { pipeline: PipelineInfo; canControl: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (status: 'Pause' | 'Resume' | 'Stop') => {
    setBusy(true);
    setError(null);
    (status === 'Stop' ? stopPipeline(pipeline.id) : setPipelineStatus(pipeline.id, status))
      .catch((err: unknown) =>
        setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)),
      )
      .finally(() => setBusy(false));
  };
  const running = pipeline.status === 'InProgress';
  const paused = pipeline.status === 'Paused';
  return (
    <div className="pipeline" data-pipeline-id={pipeline.id}>
      <div className="row">
        <span className={`badge ${pipeline.status}`} data-testid="pipeline-status">
          {pipeline.status}
        </span>
        <span className="muted mono" title={pipeline.arn ?? ''}>
          {pipeline.id.slice(0, 8)}
        </span>
        <span style={{ flex: 1 }} />
        {canControl && (
          <>
            <button type="button" disabled={!running || busy} onClick={() => act('Pause')}>
              Pause
            </button>
            <button type="button" disabled={!paused || busy} onClick={() => act('Resume')}>
              Resume
            </button>
            <ConfirmButton
              label="Stop"
              question="Stop this pipeline? The call goes on without transcription or analytics."
              confirmLabel="Stop pipeline"
              disabled={!(running || paused) || busy}
              onConfirm={() => act('Stop')}
            />
          </>
        )}
      </div>
      {pipeline.failureReason && <p className="error-text">{pipeline.failureReason}</p>}
      {pipeline.elements.length > 0 && (
        <ul className="muted">
          {pipeline.elements.map((e) => (
            <li key={e.type}>
              {e.type}: {e.status}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Alerts({ call }: { call: CallState }) {
  const categories = [...call.categories.keys()];
  return (
    <section aria-labelledby="alerts-h">
      <h2 id="alerts-h">Alerts and categories</h2>
      {call.alerts.length === 0 && <p className="muted">None.</p>}
      <ul>
        {call.alerts.map((a) => (
          <li key={a.seq + a.title}>
            <span className={`badge ${a.severity}`}>{a.kind}</span> <strong>{a.title}</strong>
            {a.detail && <span className="muted"> {a.detail}</span>}
          </li>
        ))}
      </ul>
      {categories.length > 0 && (
        <p className="sentiments" aria-label="Matched categories">
          {categories.map((name) => (
            <span key={name} className="badge info">
              {name}
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

/** The call's RTP counters from /api/calls, polled while it is live. */
function RtpStats({ callId }: { callId: string }) {
  const [call, setCall] = useState<ActiveCall | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = () =>
      activeCalls()
        .then((calls) => !stopped && setCall(calls.find((c) => c.callId === callId) ?? null))
        .catch(() => undefined);
    void poll();
    const timer = setInterval(poll, 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [callId]);
  if (!call || call.rtp.length === 0) return null;
  return (
    <section aria-labelledby="rtp-h">
      <h2 id="rtp-h">RTP</h2>
      {call.rtp.map((stats, channel) => (
        <p key={channel} className="muted">
          ch_{channel}: {typeof stats.packetsReceived === 'number' ? stats.packetsReceived : '?'} packets,{' '}
          {typeof stats.packetsLost === 'number' ? stats.packetsLost : 0} lost, jitter{' '}
          {typeof stats.jitterMs === 'number' ? stats.jitterMs.toFixed(1) : '?'} ms
        </p>
      ))}
    </section>
  );
}
