import { useState, type FormEvent } from 'react';
import { signIn, SSO_START } from '../auth.js';

/**
 * The sign-in page: user name and password, and/or "Sign in with SSO" (a link to the server's start
 * of the OpenID Connect flow, which comes back to / with the session cookie); on success the page
 * reloads with its session cookie.
 */
export function SignIn({ password: withPassword, sso }: { password: boolean; sso: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    void signIn(username, password).then((problem) => {
      if (problem === null) window.location.reload();
      else {
        setError(problem);
        setBusy(false);
      }
    });
  };
  return (
    <main className="page sign-in">
      <h1>Sign in to Callsight</h1>
      {sso && (
        <p>
          <a className="button-like sso" href={SSO_START}>
            Sign in with SSO
          </a>
        </p>
      )}
      {withPassword && (
        <form onSubmit={submit} aria-label="Sign in">
          <label>
            User name
            <input
              type="text"
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </form>
      )}
      {withPassword && (
        <p className="muted">
          First start: the password of <code>admin</code> is printed once where Callsight was started; change
          it with <code>callsight users reset-password admin</code>.
        </p>
      )}
    </main>
  );
}
