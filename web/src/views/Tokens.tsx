import { useState, type FormEvent } from 'react';
import { createToken, listTokens, revokeToken, tokenState } from '../adminApi.js';
import { formatClock } from '../format.js';
import type { UserRole } from '../permissions.js';
import { ConfirmButton, SecretOnce, useAdminList } from './Controls.js';
import { ROLE_CHOICES } from './Users.js';

const EXPIRY_CHOICES: readonly { days: number | null; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'never' },
];

/** API tokens for machines: list, create (the token is shown once), revoke. */
export default function Tokens() {
  const { items: tokens, message, busy, run } = useAdminList(listTokens, 'tokens');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [expiry, setExpiry] = useState('90');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tokenName = name.trim();
    run(async () => {
      const answer = await createToken({
        name: tokenName,
        role,
        expiresInDays: expiry === 'never' ? null : Number(expiry),
      });
      setCreated({ name: answer.name, token: answer.token });
      setName('');
      return `Created the token ${answer.name}.`;
    });
  };

  return (
    <div className="page admin-page">
      <h1>API tokens</h1>
      <p className="muted">
        For machines and scripts: send <code>Authorization: Bearer &lt;token&gt;</code>. A token has a role
        like a user's.
      </p>
      {created && (
        <SecretOnce title={`Token ${created.name}`} secret={created.token} onDone={() => setCreated(null)} />
      )}
      <form className="admin-form" onSubmit={submit} aria-label="Create a token">
        <label>
          Name
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            autoComplete="off"
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
            {ROLE_CHOICES.filter((c) => c.role !== 'agent').map((c) => (
              <option key={c.role} value={c.role}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expires after
          <select value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.label} value={c.days === null ? 'never' : String(c.days)}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Create token
        </button>
      </form>
      <p role="status" className="toast">
        {message}
      </p>
      {tokens === null ? (
        <p className="muted">Loading…</p>
      ) : tokens.length === 0 ? (
        <p className="empty">No tokens yet.</p>
      ) : (
        <table className="admin-table" aria-label="Tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => {
              const state = tokenState(token);
              return (
                <tr key={token.id} data-token-id={token.id}>
                  <th scope="row">{token.name}</th>
                  <td>
                    <span className={`badge role-${token.role}`}>{token.role}</span>
                  </td>
                  <td>{token.createdBy}</td>
                  <td>{formatClock(token.createdAt)}</td>
                  <td>
                    {token.expiresAt === null ? 'never' : new Date(token.expiresAt).toLocaleDateString()}
                  </td>
                  <td>
                    <span className={`badge ${state === 'active' ? 'ok' : 'bad'}`}>{state}</span>
                  </td>
                  <td className="actions">
                    {state === 'active' && (
                      <ConfirmButton
                        label="Revoke"
                        accessibleName={`Revoke ${token.name}`}
                        question={`Revoke ${token.name}? Whatever uses it stops working at once.`}
                        confirmLabel="Revoke"
                        disabled={busy}
                        onConfirm={() =>
                          run(async () => {
                            await revokeToken(token.id);
                            return `Revoked ${token.name}.`;
                          })
                        }
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
