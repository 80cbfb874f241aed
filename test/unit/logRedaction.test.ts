// Secrets never reach the log: a registered token (HA long-lived token, supervisor token, an MQTT
// password) is masked in every line at every level, inside error texts too, by the real winston
// logger writing to a real stream — deleting the redaction step fails this test.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import winston from 'winston';
import { describeError } from '../../src/core/errors.js';
import { createLogger, createMemoryLogger, LOG_LEVELS } from '../../src/core/logger.js';

const SECRETS = ['llat-eyJhbGciOiJIUzI1NiJ9.secret-part', 'supervisor-5f3a9c77d2', 'mqtt-p@ss:w0rd/1'];

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'trace', now: () => 0, transports: [new winston.transports.Stream({ stream })] });
  return { logger, text: () => chunks.join('') };
}

function logEverywhere(logger: ReturnType<typeof createLogger>): void {
  const calls = [logger.trace, logger.debug, logger.info, logger.notice, logger.warn, logger.error, logger.fatal];
  for (const secret of SECRETS) {
    for (const log of calls) {
      log(`connecting with ${secret} to ws://ha:8123 (Bearer ${secret})`);
      log(`request failed: ${describeError(new Error(`401 for token ${secret}`, { cause: new Error(`echo ${secret}`) }))}`);
    }
  }
}

describe('log redaction', () => {
  it('masks every registered secret at every level, in messages and error texts', async () => {
    const { logger, text } = capture();
    for (const s of SECRETS) logger.addSecret(s);
    logEverywhere(logger);
    await new Promise((resolve) => setImmediate(resolve));
    const out = text();
    expect(out.split('\n').filter((l) => l !== '')).toHaveLength(SECRETS.length * 7 * 2);
    for (const level of LOG_LEVELS) expect(out).toContain(` ${level === 'warning' ? 'WARNING' : level.toUpperCase()} `);
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('Bearer ***');
  });

  it('masks in the memory logger the simulator and tests use', () => {
    const logger = createMemoryLogger();
    for (const s of SECRETS) logger.addSecret(s);
    logEverywhere(logger);
    const out = logger.lines.join('\n');
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('Bearer ***');
  });

  it('would have logged the secrets without registration (the test can fail)', async () => {
    const { logger, text } = capture();
    logEverywhere(logger);
    await new Promise((resolve) => setImmediate(resolve));
    for (const s of SECRETS) expect(text()).toContain(s);
  });
});
