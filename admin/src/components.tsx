import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, type UserError } from './api.js';
import { Link, useLocation } from './router.js';
import { useSession } from './session.js';

/** Shared pieces of every page: layout, banner, badges, errors, times. */

const NAV: Array<{ to: string; label: string; match: RegExp }> = [
  { to: '/', label: 'Dashboard', match: /^\/(dashboard)?$/ },
  { to: '/jobs', label: 'Jobs', match: /^\/jobs/ },
  { to: '/failed', label: 'Failed', match: /^\/failed/ },
  { to: '/submit', label: 'Submit', match: /^\/submit/ },
  { to: '/queue', label: 'Queue & workers', match: /^\/queue/ },
  { to: '/schedules', label: 'Schedules', match: /^\/schedules/ },
  { to: '/maintenance', label: 'Maintenance', match: /^\/maintenance/ },
  { to: '/datasets', label: 'Datasets', match: /^\/datasets/ },
];

export function Layout({ children }: { children: ComponentChildren }): JSX.Element {
  const { viewer } = useSession();
  const { path } = useLocation();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/" class="brand">
          Job service
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} aria-current={n.match.test(path) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="who">
          <span title={`roles: ${viewer.roles.join(', ')}`}>
            {viewer.id} <small>({viewer.roles.join(', ')})</small>
          </span>
          <button type="button" class="link" onClick={() => setToken(null)}>
            Sign out
          </button>
        </div>
      </header>
      <MaintenanceBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function MaintenanceBanner(): JSX.Element | null {
  const { maintenance } = useSession();
  if (!maintenance?.paused) return null;
  return (
    <div class="banner" role="status" data-testid="maintenance-banner">
      <strong>Maintenance mode is on.</strong> {maintenance.message || 'No new jobs are started.'}{' '}
      <span class={maintenance.drained ? 'drained yes' : 'drained'}>
        {maintenance.drained ? 'Drained: safe to deploy.' : `Draining: ${maintenance.runningJobs} job(s) still running.`}
      </span>{' '}
      <Link to="/maintenance">Details</Link>
    </div>
  );
}

const TERMINAL_OK = new Set(['COMPLETED']);
const TERMINAL_BAD = new Set(['FAILED', 'CANCELLED']);

export function StatusBadge({ status }: { status: string }): JSX.Element {
  const tone = TERMINAL_OK.has(status) ? 'ok' : TERMINAL_BAD.has(status) ? 'bad' : status === 'QUEUED' || status === 'WAITING' ? 'wait' : 'run';
  return <span class={`badge ${tone}`}>{status}</span>;
}

/** The userErrors of a payload, each with its code and field path. */
export function UserErrors({ errors }: { errors: readonly UserError[] | null | undefined }): JSX.Element | null {
  if (!errors?.length) return null;
  return (
    <ul class="errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>
          <UserErrorText error={e} />
        </li>
      ))}
    </ul>
  );
}

/** One userError: its code, message and the input field at fault. */
export function UserErrorText({ error }: { error: UserError }): JSX.Element {
  return (
    <>
      <code>{error.code}</code> {error.message}
      {error.field?.length ? <small> (at {error.field.join('.')})</small> : null}
    </>
  );
}

/** Whether a page's live updates flow ("● Live"), or why they stopped. */
export function LiveIndicator({ error }: { error: string | null }): JSX.Element {
  return (
    <span class={error ? 'live off error' : 'live on'} title={error ?? 'Changes appear as they happen'} data-testid="live-indicator">
      {error ? `Live updates interrupted: ${error}` : '● Live'}
    </span>
  );
}

export function ErrorBox({ message }: { message: string | null | undefined }): JSX.Element | null {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function relative(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const a = Math.abs(s);
  if (a < 60) return rtf.format(s, 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** A time shown relative ("2 minutes ago"), refreshed every few seconds, exact on hover. */
export function Time({ iso }: { iso: string | null | undefined }): JSX.Element {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 5000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={dtf.format(new Date(iso))}>
      {relative(iso)}
    </time>
  );
}

export function Progress({ value }: { value: number | null | undefined }): JSX.Element | null {
  if (value == null) return null;
  const pct = Math.round(value * 100);
  return (
    <span class="progress">
      <progress max={100} value={pct} aria-label={`progress ${pct}%`} /> {pct}%
    </span>
  );
}

export function Loading(): JSX.Element {
  return (
    <p class="muted" aria-busy="true">
      Loading…
    </p>
  );
}

/** Sets the document title for the page shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Job service admin`;
  }, [title]);
}
