// The registry on its own: other parts (the optimizer) add commands, names are unique, failures
// inside a command become a `failed` result, and listeners see every outcome with its caller.
import { describe, expect, it } from '@jest/globals';
import { CommandRegistry } from '../../src/commands/registry.js';
import type { CommandOutcome } from '../../src/commands/types.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';

function registry() {
  const r = new CommandRegistry({ clock: new VirtualClock(0), logger: createMemoryLogger() });
  r.register<{ strategy: string; steps: number }>({
    name: 'run_strategy',
    summary: 'test',
    parse: (args) => {
      const strategy = args.string('strategy');
      const steps = args.optionalInt('steps', 1, 10) ?? 1;
      args.finish();
      return { strategy, steps };
    },
    run: ({ strategy, steps }) => (strategy === 'boom' ? Promise.reject(new Error('strategy exploded')) : Promise.resolve({ strategy, steps })),
  });
  return r;
}

describe('CommandRegistry', () => {
  it('runs a registered command with its parsed arguments and echoes the request id', async () => {
    const r = registry();
    expect(await r.handle({ command: 'run_strategy', strategy: 'interval', steps: 3, request_id: 'a' }, { source: 'stdin' }))
      .toEqual({ request_id: 'a', command: 'run_strategy', success: true, result: { strategy: 'interval', steps: 3 } });
  });

  it('lists every argument problem in one answer', async () => {
    const res = await registry().handle({ command: 'run_strategy', steps: 11, colour: 'red' }, { source: 'stdin' });
    expect(res.error).toEqual({ code: 'missing_argument', message: 'strategy is required; steps 11 is not an integer from 1 to 10; colour is not an argument of this command' });
  });

  it('turns an exception inside a command into a failed result', async () => {
    const res = await registry().handle({ command: 'run_strategy', strategy: 'boom' }, { source: 'event', userId: null });
    expect(res).toMatchObject({ success: false, error: { code: 'failed', message: 'strategy exploded' } });
  });

  it('refuses a second command with the same name', () => {
    const r = registry();
    expect(() => r.register({ name: 'run_strategy', summary: '', parse: () => undefined, run: () => Promise.resolve(null) })).toThrow(/already registered/);
  });

  it('tells listeners about every outcome with the caller, and ignores blank lines', async () => {
    const r = registry();
    const seen: CommandOutcome[] = [];
    r.onResult((o) => seen.push(o));
    expect(await r.handleLine('   ', { source: 'stdin' })).toBeUndefined();
    await r.handleLine('{"command": "run_strategy", "strategy": "x"}', { source: 'event', userId: 'u1' });
    await r.handleLine('{oops', { source: 'stdin' });
    expect(seen.map((o) => [o.caller, o.result.success])).toEqual([[{ source: 'event', userId: 'u1' }, true], [{ source: 'stdin' }, false]]);
  });
});
