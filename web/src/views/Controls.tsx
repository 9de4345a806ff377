import { useCallback, useEffect, useRef, useState } from 'react';
import { copyText } from '../clipboard.js';

/**
 * A button for something that cannot be undone (revoke a token, erase a call): the first press asks
 * (the question, a confirming button and Cancel, focus on Cancel); only the second does it.
 */
export function ConfirmButton({
  label,
  accessibleName,
  question,
  confirmLabel,
  disabled = false,
  onConfirm,
}: {
  label: string;
  /** The opening button's name when its label alone is ambiguous (a button per row). */
  accessibleName?: string;
  question: string;
  confirmLabel: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking)
    return (
      <button
        type="button"
        ref={opener}
        disabled={disabled}
        aria-label={accessibleName}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>{' '}
      <button
        type="button"
        className="danger"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" ref={cancel} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/**
 * A secret shown once (a new API token, a new password): the server keeps only its hash, so this is
 * the one chance to copy it. It stays until dismissed.
 */
export function SecretOnce({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div className="secret-once" role="region" aria-label={title} tabIndex={-1} ref={box}>
      <p>
        <strong>{title}</strong>: shown this once. Copy it now; Callsight keeps only its hash.
      </p>
      <p className="toolbar">
        <code className="secret" data-testid="secret">
          {secret}
        </code>
        <button type="button" onClick={() => void copyText(secret).then(setCopied)}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
        <span role="status" className="toast">
          {copied === true
            ? 'Copied.'
            : copied === false
              ? 'Could not copy: select it and copy by hand.'
              : ''}
        </span>
      </p>
    </div>
  );
}

/** An API error as one line. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An admin list (users, tokens): loaded at once, and again after each change that `run` makes; `run`
 * shows what the change did, or why it failed, and keeps the buttons disabled meanwhile.
 */
export function useAdminList<T>(load: () => Promise<T[]>, what: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(() => {
    load()
      .then(setItems)
      .catch((err: unknown) => setMessage(`Could not list the ${what}: ${errorText(err)}`));
  }, [load, what]);
  useEffect(refresh, [refresh]);
  const run = (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    work()
      .then(setMessage)
      .catch((err: unknown) => setMessage(`Not done: ${errorText(err)}`))
      .finally(() => {
        setBusy(false);
        refresh();
      });
  };
  return { items, message, busy, run };
}
