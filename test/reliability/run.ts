/**
 * `npm run reliability`: runs every reliability scenario in its long form against real peers (the
 * built app as a child process, pymodbus devices, mosquitto, the fake Home Assistant, tmpfs) one after
 * another, and prints README's reliability table. `-- --short` runs the short forms `npm test` runs;
 * `-- --only a,b` runs the scenarios named, `-- --skip a,b` all but those. Exit code 1 when a row
 * judged at that length missed its bound (rows.ts).
 */
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';
import { missedRows, rowsTable } from './rows.js';
import { scenarios } from './scenarios.js';

async function main(argv: string[]): Promise<number> {
  const length: ReliabilityLength = argv.includes('--short') ? 'short' : 'long';
  const listed = (flag: string) => (argv.includes(flag) ? (argv[argv.indexOf(flag) + 1] ?? '').split(',') : undefined);
  const only = listed('--only');
  const skip = listed('--skip') ?? [];
  const unknown = [...(only ?? []), ...skip].filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`no scenario named ${unknown.join(', ')}; have: ${scenarios.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const chosen: ReliabilityScenario[] = scenarios.filter((s) => (only === undefined || only.includes(s.name)) && !skip.includes(s.name));
  const rows: ReliabilityRow[] = [];
  for (const s of chosen) {
    const started = performance.now();
    console.error(`reliability: ${s.name} (${length}) …`);
    try {
      const got = await s.run(length);
      rows.push(...got);
      console.error(`reliability: ${s.name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } catch (err) {
      rows.push({ fault: s.name, figure: `scenario failed: ${(err as Error).message.split('\n')[0]}`, bound: 'runs to the end', met: false });
    }
  }
  console.log(rowsTable(rows, length));
  return missedRows(rows, length).length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
