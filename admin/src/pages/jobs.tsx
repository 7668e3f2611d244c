import type { JSX } from 'preact';

export function JobsPage(): JSX.Element {
  return <section><h1>JobsPage</h1></section>;
}
