/**
 * Durations as users write them in options: "30s", "5m", "4h", "1d", "500ms", or combined "1h30m".
 * One pattern validates them in the schema (and in config.yaml's match()), one function turns them
 * into milliseconds.
 */
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration string; throws a RangeError naming the text when it is not one. */
export function parseDuration(text: string): number {
  if (!DURATION_PATTERN.test(text)) throw new RangeError(`"${text}" is not a duration like 30s, 5m, 4h or 1h30m`);
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (!(total > 0)) throw new RangeError(`"${text}" must be longer than 0`);
  return total;
}
