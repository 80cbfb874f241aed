/**
 * Process entry: the only module that touches `process`. Reads the environment, loads and validates
 * options (or starts the demo site when there are none), builds the real clock, randomness and
 * logger, starts the app, and stops it cleanly on SIGTERM/SIGINT. Exit codes: 0 clean stop,
 * 2 invalid options, 1 anything else fatal.
 */
import { readFile } from 'node:fs/promises';
import { createApp } from './app.js';
import { readRuntimeEnv } from './config/env.js';
import { loadOptionsFile } from './config/load.js';
import { resolveOptions } from './config/resolve.js';
import { createSystemClock } from './core/clock.js';
import { ConfigError } from './core/errors.js';
import { describeError } from './core/eventBus.js';
import { createLogger, type Logger } from './core/logger.js';
import { startDemo, type RunningDemo } from './sim/demo.js';

const EXIT_BAD_OPTIONS = 2;

async function main(): Promise<void> {
  const clock = createSystemClock();
  const logger = createLogger({ level: 'info', now: () => clock.now() });
  const env = readRuntimeEnv(process.env);
  if (env.haToken) logger.addSecret(env.haToken);

  let demo: RunningDemo | undefined;
  let raw: unknown;
  if (env.mode === 'standalone' && env.optionsFile === undefined) {
    demo = await startDemo(clock, Number(process.env.DEMO_SEED ?? 1), Number(process.env.DEMO_PORT ?? 0));
    logger.info(`No OPTIONS_FILE: running the demo site, simulated devices on Modbus TCP 127.0.0.1:${demo.port}`);
    raw = demo.options;
  } else {
    raw = await loadOptionsFile(env.optionsFile ?? '', (p) => readFile(p, 'utf8'));
  }
  const resolved = resolveOptions(raw);
  logger.setLevel(resolved.logLevel);

  const app = createApp({
    clock, logger, random: Math.random, connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: demo ? 10_000 : 60_000,
  });
  installSignalHandlers(logger, async () => {
    await app.stop();
    await demo?.stop();
  });
  await app.start();
}

function installSignalHandlers(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`Stop failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT_BAD_OPTIONS);
  }
  process.stderr.write(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
