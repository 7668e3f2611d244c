import type { JSX } from 'preact';

export function MaintenancePage(): JSX.Element {
  return <section><h1>MaintenancePage</h1></section>;
}
