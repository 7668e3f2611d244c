import type { JSX } from 'preact';

export function DatasetsPage(): JSX.Element {
  return <section><h1>DatasetsPage</h1></section>;
}
