/**
 * Logging through winston. The Home Assistant `log_level` convention (trace … fatal) is mapped onto
 * winston levels here, and every line passes a redaction step so secrets registered at start (tokens)
 * can never reach the log, whatever the level.
 */
import winston from 'winston';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** winston levels: lower number = more severe. */
const WINSTON_LEVELS: Record<LogLevel, number> = {
  fatal: 0,
  error: 1,
  warning: 2,
  notice: 3,
  info: 4,
  debug: 5,
  trace: 6,
};

export interface Logger {
  trace(msg: string): void;
  debug(msg: string): void;
  info(msg: string): void;
  notice(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  fatal(msg: string): void;
  /** Registers a secret that must be masked in every later line. */
  addSecret(secret: string): void;
  setLevel(level: LogLevel): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default is stderr-free console (stdout) so HA's log tab shows them. */
  transports?: winston.transport[];
  /** Source of timestamps (the injected clock). */
  now: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets: string[] = [];
  const redact = (text: string): string =>
    secrets.reduce((acc, s) => acc.split(s).join('***'), text);
  const format = winston.format.printf((info) => {
    const stamp = new Date(options.now()).toISOString();
    return `${stamp} ${String(info.level).toUpperCase()} ${redact(String(info.message))}`;
  });
  const w = winston.createLogger({
    levels: WINSTON_LEVELS,
    level: options.level,
    format,
    transports: options.transports ?? [new winston.transports.Console()],
  });
  const log = (level: LogLevel) => (msg: string) => {
    w.log(level, msg);
  };
  return {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    notice: log('notice'),
    warn: log('warning'),
    error: log('error'),
    fatal: log('fatal'),
    addSecret(secret) {
      if (secret.length >= 4 && !secrets.includes(secret)) secrets.push(secret);
    },
    setLevel(level) {
      w.level = level;
    },
  };
}

/** Lines a memory logger keeps at most. */
export const MEMORY_LOG_LINES = 20_000;

/** A logger that keeps its last lines in memory: for tests and the simulator. */
export function createMemoryLogger(limit = MEMORY_LOG_LINES): Logger & { lines: string[] } {
  const lines: string[] = [];
  const secrets: string[] = [];
  const push = (level: string) => (msg: string) => {
    // bounded: a simulated day at 10,000 entities logs millions of debug lines (the oldest half goes)
    if (lines.length >= limit) lines.splice(0, Math.ceil(limit / 2));
    lines.push(`${level} ${secrets.reduce((a, s) => a.split(s).join('***'), msg)}`);
  };
  return {
    lines,
    trace: push('TRACE'),
    debug: push('DEBUG'),
    info: push('INFO'),
    notice: push('NOTICE'),
    warn: push('WARNING'),
    error: push('ERROR'),
    fatal: push('FATAL'),
    addSecret(secret) {
      if (secret.length >= 4) secrets.push(secret);
    },
    setLevel() {},
  };
}
