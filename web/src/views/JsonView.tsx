import { useState, type ReactNode } from 'react';

/**
 * A collapsible, syntax-coloured JSON tree built from text nodes only (never HTML), so values from
 * SIP headers render as the characters they are. Objects and arrays are native <details> elements:
 * keyboard operable and announced as expandable without extra ARIA. Strings that hold JSON (Chime's
 * `metadata`, `oneTimeMetadata`, `inviteHeaders`) get a decoded subtree under them.
 */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <div className="json" role="group" aria-label={label ?? 'JSON'}>
      <Node name={null} value={value} depth={0} last />
    </div>
  );
}

const CHILD_PAGE = 100;

function Node({
  name,
  value,
  depth,
  last,
}: {
  name: string | null;
  value: unknown;
  depth: number;
  last: boolean;
}) {
  const key = name === null ? null : <span className="k">{JSON.stringify(name)}</span>;
  const comma = last ? '' : ',';
  if (value !== null && typeof value === 'object') {
    return <Branch name={key} value={value} depth={depth} comma={comma} />;
  }
  const decoded = typeof value === 'string' ? decodeJsonString(value) : undefined;
  return (
    <>
      {key}
      {key && ': '}
      <Scalar value={value} />
      {comma}
      {decoded !== undefined && (
        <details className="decoded">
          <summary className="muted">decoded JSON</summary>
          <ul>
            <li>
              <Node name={null} value={decoded} depth={depth + 1} last />
            </li>
          </ul>
        </details>
      )}
    </>
  );
}

function Branch({
  name,
  value,
  depth,
  comma,
}: {
  name: ReactNode;
  value: object;
  depth: number;
  comma: string;
}) {
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [shown, setShown] = useState(CHILD_PAGE);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0)
    return (
      <>
        {name}
        {name && ': '}
        {open}
        {close}
        {comma}
      </>
    );
  return (
    <details open={depth < 2}>
      <summary>
        {name}
        {name && ': '}
        {open}
        <span className="muted"> {isArray ? `${entries.length} items` : `${entries.length} keys`} </span>
      </summary>
      <ul>
        {entries.slice(0, shown).map(([k, v], i) => (
          <li key={k}>
            <Node name={isArray ? null : k} value={v} depth={depth + 1} last={i === entries.length - 1} />
          </li>
        ))}
        {shown < entries.length && (
          <li>
            <button type="button" className="link" onClick={() => setShown(shown + CHILD_PAGE)}>
              show {Math.min(CHILD_PAGE, entries.length - shown)} more of {entries.length - shown}
            </button>
          </li>
        )}
      </ul>
      {close}
      {comma}
    </details>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="s">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="n">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="b">{String(value)}</span>;
  return <span className="z">null</span>;
}

/** The object or array a string encodes, if it is JSON text of one. */
function decodeJsonString(value: string): unknown {
  const first = value.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
