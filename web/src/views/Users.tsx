import { useState, type FormEvent } from 'react';
import {
  addUser,
  changeUser,
  endSessions,
  listUsers,
  parsePatterns,
  randomPassword,
  type User,
} from '../adminApi.js';
import { formatClock } from '../format.js';
import type { UserRole } from '../permissions.js';
import { ConfirmButton, SecretOnce, useAdminList } from './Controls.js';

export const ROLE_CHOICES: readonly { role: UserRole; label: string }[] = [
  { role: 'viewer', label: 'viewer: transcripts and analytics' },
  { role: 'agent', label: 'agent: only their own calls' },
  { role: 'supervisor', label: 'supervisor: also recordings and pipeline control' },
  { role: 'admin', label: 'admin: everything' },
];

function RoleSelect({
  value,
  onChange,
  label,
}: {
  value: UserRole;
  onChange: (r: UserRole) => void;
  label?: string;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value as UserRole)} aria-label={label}>
      {ROLE_CHOICES.map((c) => (
        <option key={c.role} value={c.role}>
          {label ? c.role : c.label}
        </option>
      ))}
    </select>
  );
}

/** Users: list, add (with a password made here and shown once), change role and patterns, disable, reset. */
export default function Users() {
  const { items: users, message, busy, run } = useAdminList(listUsers, 'users');
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);

  const resetPassword = (username: string) =>
    run(async () => {
      const password = randomPassword();
      await changeUser(username, { password });
      setSecret({ title: `New password of ${username}`, value: password });
      return `${username} has a new password; their sessions ended.`;
    });

  return (
    <div className="page admin-page">
      <h1>Users</h1>
      <p className="muted">
        Who may sign in, and with which role. The same as <code>callsight users …</code> on the server.
      </p>
      {secret && <SecretOnce title={secret.title} secret={secret.value} onDone={() => setSecret(null)} />}
      <AddUser
        busy={busy}
        onAdd={(user) =>
          run(async () => {
            const password = randomPassword();
            await addUser({ ...user, password });
            setSecret({ title: `Password of ${user.username}`, value: password });
            return `Added ${user.username}.`;
          })
        }
      />
      <p role="status" className="toast">
        {message}
      </p>
      {users === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="admin-table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Role</th>
              <th scope="col">Agent patterns</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <UserRow
                key={user.username}
                user={user}
                busy={busy}
                onChange={(change, done) =>
                  run(async () => {
                    await changeUser(user.username, change);
                    return done;
                  })
                }
                onResetPassword={() => resetPassword(user.username)}
                onEndSessions={() =>
                  run(async () => `Ended ${await endSessions(user.username)} session(s) of ${user.username}.`)
                }
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AddUser({
  busy,
  onAdd,
}: {
  busy: boolean;
  onAdd: (user: { username: string; role: UserRole; agentPatterns: string[] }) => void;
}) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [patterns, setPatterns] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onAdd({
      username: username.trim(),
      role,
      agentPatterns: role === 'agent' ? parsePatterns(patterns) : [],
    });
    setUsername('');
    setPatterns('');
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label="Add a user">
      <label>
        User name
        <input
          type="text"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          pattern="[A-Za-z0-9._@\-]{1,64}"
          title="1 to 64 letters, digits, and . _ @ -"
          autoComplete="off"
        />
      </label>
      <label>
        Role
        <RoleSelect value={role} onChange={setRole} />
      </label>
      {role === 'agent' && (
        <label>
          Agent identities (AOR or number patterns, one per line)
          <textarea
            rows={2}
            value={patterns}
            onChange={(e) => setPatterns(e.target.value)}
            required
            placeholder={'^\\+1555010\\d$\nsip:alice@'}
          />
        </label>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Add user
      </button>
      <p className="muted">A password is made for them and shown once.</p>
    </form>
  );
}

function UserRow({
  user,
  busy,
  onChange,
  onResetPassword,
  onEndSessions,
}: {
  user: User;
  busy: boolean;
  onChange: (change: { role?: UserRole; agentPatterns?: string[]; disabled?: boolean }, done: string) => void;
  onResetPassword: () => void;
  onEndSessions: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [role, setRole] = useState<UserRole>(user.role);
  const [patterns, setPatterns] = useState(user.agentPatterns.join('\n'));
  const save = (event: FormEvent) => {
    event.preventDefault();
    setEditing(false);
    onChange(
      { role, ...(role === 'agent' ? { agentPatterns: parsePatterns(patterns) } : {}) },
      `${user.username} is now ${role}.`,
    );
  };
  return (
    <tr data-username={user.username}>
      <th scope="row">{user.username}</th>
      <td>
        {editing ? (
          <form id={`edit-${user.username}`} onSubmit={save} aria-label={`Change ${user.username}`}>
            <RoleSelect value={role} onChange={setRole} label={`Role of ${user.username}`} />
          </form>
        ) : (
          <span className={`badge role-${user.role}`}>{user.role}</span>
        )}
      </td>
      <td className="mono">
        {editing && role === 'agent' ? (
          <textarea
            form={`edit-${user.username}`}
            rows={2}
            value={patterns}
            onChange={(e) => setPatterns(e.target.value)}
            aria-label={`Agent patterns of ${user.username}`}
            required
          />
        ) : (
          user.agentPatterns.join(', ') || '—'
        )}
      </td>
      <td>
        <span className={`badge ${user.disabled ? 'bad' : 'ok'}`}>
          {user.disabled ? 'disabled' : 'active'}
        </span>
      </td>
      <td>{formatClock(user.createdAt)}</td>
      <td className="actions">
        {/* Keyed: the Save button must be a new element, not the pressed "Change role" turned into a
            submit button while its click is still being handled (the browser would submit the form). */}
        {editing ? (
          <>
            <button
              key="save"
              type="submit"
              form={`edit-${user.username}`}
              className="primary"
              disabled={busy}
            >
              Save
            </button>
            <button key="cancel" type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              key="change"
              type="button"
              disabled={busy}
              onClick={() => {
                setRole(user.role);
                setPatterns(user.agentPatterns.join('\n'));
                setEditing(true);
              }}
              aria-label={`Change role of ${user.username}`}
            >
              Change role
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                onChange(
                  { disabled: !user.disabled },
                  `${user.username} is ${user.disabled ? 'enabled' : 'disabled'}.`,
                )
              }
              aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
            >
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
            <ConfirmButton
              label="Reset password"
              accessibleName={`Reset the password of ${user.username}`}
              question={`Give ${user.username} a new password and end their sessions?`}
              confirmLabel="Reset"
              disabled={busy}
              onConfirm={onResetPassword}
            />
            <button
              type="button"
              disabled={busy}
              onClick={onEndSessions}
              aria-label={`End the sessions of ${user.username}`}
            >
              End sessions
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
