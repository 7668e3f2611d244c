import type { JSX } from 'preact';

export function SubmitPage(): JSX.Element {
  return <section><h1>SubmitPage</h1></section>;
}
