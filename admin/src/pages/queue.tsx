import type { JSX } from 'preact';

export function QueuePage(): JSX.Element {
  return <section><h1>QueuePage</h1></section>;
}
