import type { JSX } from 'preact';

export function JobPage({ id }: { id: string }): JSX.Element {
  return <section><h1>Job {id}</h1></section>;
}
