import { describe, expect, it } from '@jest/globals';
import { Lifecycle, PartStartError, type Part } from '../../src/core/lifecycle.js';
import { createMemoryLogger } from '../../src/core/logger.js';

/** A part that records its starts and stops in `trace`; `failStart`/`failStop` make it throw. */
function part(name: string, trace: string[], opts: { failStart?: boolean; failStop?: boolean; async?: boolean } = {}): Part {
  return {
    name,
    async start() {
      if (opts.async) await Promise.resolve();
      if (opts.failStart) throw new Error(`${name} refused`);
      trace.push(`start ${name}`);
    },
    stop() {
      trace.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} stuck`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse, skipping absent parts', async () => {
    const trace: string[] = [];
    const life = new Lifecycle(createMemoryLogger(), [part('store', trace), undefined, part('poller', trace, { async: true }), part('web', trace)]);
    expect(life.names()).toEqual(['store', 'poller', 'web']);
    await life.start();
    await life.stop();
    expect(trace).toEqual(['start store', 'start poller', 'start web', 'stop web', 'stop poller', 'stop store']);
  });

  it('names a part that fails to start, stops the ones already started, and never starts the rest', async () => {
    const trace: string[] = [];
    const logger = createMemoryLogger();
    const life = new Lifecycle(logger, [part('store', trace), part('poller', trace), part('dashboard', trace, { failStart: true }), part('stdin', trace)]);
    const failure = await life.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PartStartError);
    expect((failure as PartStartError).part).toBe('dashboard');
    expect((failure as Error).message).toBe('Starting dashboard failed: dashboard refused');
    expect(trace).toEqual(['start store', 'start poller', 'stop poller', 'stop store']);
    expect(logger.lines).toEqual(['ERROR Starting dashboard failed: dashboard refused']);
    await life.stop(); // a second stop (main's shutdown after a failed start) stops nothing twice
    expect(trace).toHaveLength(4);
  });

  it('keeps stopping when a part fails to stop, and logs it by name', async () => {
    const trace: string[] = [];
    const logger = createMemoryLogger();
    const life = new Lifecycle(logger, [part('store', trace), part('poller', trace, { failStop: true }), part('web', trace)]);
    await life.start();
    await life.stop();
    expect(trace.slice(3)).toEqual(['stop web', 'stop poller', 'stop store']);
    expect(logger.lines).toEqual(['ERROR Stopping poller failed: poller stuck']);
  });
});
