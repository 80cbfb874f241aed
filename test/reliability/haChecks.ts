/**
 * What every Home Assistant fault scenario does around its own part, so each row says the same
 * things the same way: a fresh rig for the scenario, torn down whatever happens; the app still
 * answers commands afterwards (an HA event from a user and a stdin line); it never crashed, printed
 * no fatal line, no listener-leak warning and no unhandled rejection, and it stopped cleanly (exit 0)
 * on SIGTERM.
 */
import type { Check } from './figures.js';
import { startHaAppRig, type HaAppRig } from './haAppRig.js';

/** Starts a rig, runs a scenario's checks on it, stops it, and adds the clean-run check. */
export async function onFreshRig(checksOf: (rig: HaAppRig) => Promise<Check[]>): Promise<Check[]> {
  const rig = await startHaAppRig();
  let checks: Check[];
  try {
    checks = await checksOf(rig);
  } catch (err) {
    await rig.stop();
    throw err;
  }
  return [...checks, cleanRun(rig.app.output(), await rig.stop())];
}

/** A read_now from an HA event and a get_statistics from stdin, both answered with success. */
export async function answersCommands(rig: HaAppRig): Promise<Check> {
  const event = await rig.command({ command: 'read_now', entity: 'setpoint' }, 'event');
  const stdin = await rig.command({ command: 'get_statistics' }, 'stdin');
  const ok = event?.success === true && stdin?.success === true;
  const what = (r: Record<string, unknown> | undefined) => (r === undefined ? 'no answer' : r.success === true ? 'ok' : 'failed');
  return { ok, figure: `commands answered afterwards (HA event: ${what(event)}, stdin: ${what(stdin)})` };
}

const BAD_LINES: Array<[RegExp, string]> = [
  [/MaxListenersExceededWarning/, 'listener-leak warning'],
  [/ FATAL /, 'fatal line'],
  [/Unhandled|uncaught/i, 'unhandled error'],
];

/** The app's whole output and its exit code after SIGTERM. */
export function cleanRun(output: string, exitCode: number | null): Check {
  const seen = BAD_LINES.filter(([pattern]) => pattern.test(output)).map(([, what]) => what);
  const ok = seen.length === 0 && exitCode === 0;
  const exit = `exit ${exitCode ?? 'by signal'} on SIGTERM`;
  return { ok, figure: seen.length === 0 ? `no crash, no listener warning, ${exit}` : `${seen.join(', ')} in the output, ${exit}` };
}
