/**
 * The rows every reliability run shows and judges the same way, whether `npm run reliability` prints
 * README's table or an e2e test inside `npm test` runs a short form: one table format, and one rule
 * for which misses count (a longOnly row is judged by the long run only).
 */
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

/** README's reliability table; in a short run, rows the long run judges say so. */
export function rowsTable(rows: readonly ReliabilityRow[], length: ReliabilityLength): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const verdict = (r: ReliabilityRow) => (r.met ? 'met' : r.longOnly && length === 'short' ? 'not met (the long run judges it)' : '**not met**');
  return ['| fault | what happens | bound | met |', '|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.fault)} | ${cell(r.figure)} | ${cell(r.bound)} | ${verdict(r)} |`)].join('\n');
}

/** The rows that missed their bound and are judged in a run of this length. */
export function missedRows(rows: readonly ReliabilityRow[], length: ReliabilityLength): ReliabilityRow[] {
  return rows.filter((r) => !r.met && !(r.longOnly === true && length === 'short'));
}

/** Runs a scenario's short form (inside `npm test`) and prints its rows. */
export async function shortForm(scenario: ReliabilityScenario): Promise<ReliabilityRow[]> {
  const rows = await scenario.run('short');
  process.stdout.write(`${rowsTable(rows, 'short')}\n`);
  return rows;
}
