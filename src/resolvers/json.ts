/** Stored JSON text → value (DESIGN.md rule 6). */
export function parseJson(text: string | null | undefined): unknown {
  return text === null || text === undefined ? null : (JSON.parse(text) as unknown);
}
