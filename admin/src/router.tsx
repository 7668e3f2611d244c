import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A tiny history router under /admin: paths like /admin/jobs/ID, query strings for filters. */

export const BASE = '/admin';
const listeners = new Set<() => void>();

export interface Location {
  /** The path below /admin, e.g. "/jobs/65f…"; "/" for the home page. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const raw = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return { path: raw === '' ? '/' : raw, query: new URLSearchParams(location.search) };
}

/** Goes to a path below /admin (with an optional query string); `replace` keeps the history entry. */
export function navigate(to: string, replace = false): void {
  const url = BASE + (to.startsWith('/') ? to : `/${to}`);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const fn of listeners) fn();
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** An in-app link: a real <a href> (opens in a new tab with a modifier), routed without a reload otherwise. */
export interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  title?: string;
  'aria-current'?: 'page';
  'aria-label'?: string;
}

export function Link({ to, children, ...rest }: LinkProps): JSX.Element {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
