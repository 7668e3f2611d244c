import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { setToken, takeSignOutReason } from '../api.js';
import { ErrorBox, useTitle } from '../components.js';

/** Paste a bearer token; it is kept in session storage only. */
export function SignInPage({ error }: { error?: string | null }): JSX.Element {
  useTitle('Sign in');
  const [reason] = useState(takeSignOutReason);
  const [value, setValue] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const token = value.trim().replace(/^Bearer\s+/i, '');
    if (token) setToken(token);
  };
  return (
    <main id="main" class="signin">
      <h1>Job service admin</h1>
      <form onSubmit={submit}>
        <label for="token">Bearer token</label>
        <textarea id="token" name="token" rows={5} required autoFocus spellcheck={false} autoComplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="eyJhbGciOi…" />
        <p class="muted">
          The token stays in this tab's session storage and is sent only to this service. In dev mode, the start-up output prints a signed link, or run{' '}
          <code>npm run -s token -- ADMIN</code>.
        </p>
        <ErrorBox message={error ?? reason} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
