/**
 * Error types with context. Modbus failures name the connection, unit, function and registers so a
 * log line is enough to find the culprit; configuration failures list every problem at once.
 */
export interface ModbusContext {
  connection: string;
  unitId: number;
  fn: number;
  address: number;
  count: number;
}

function describe(ctx: ModbusContext): string {
  return `${ctx.connection} unit ${ctx.unitId} fc${ctx.fn} @${ctx.address}+${ctx.count}`;
}

export class ModbusError extends Error {
  /** The request never reached the wire (refused during a back-off, or the bus stopped first). */
  readonly notSent: boolean;

  constructor(message: string, readonly context: ModbusContext, options?: { cause?: unknown; notSent?: boolean }) {
    super(`${describe(context)}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.notSent = options?.notSent ?? false;
  }
}

/** True for a Modbus failure whose request never reached the wire (costs no bus time, teaches nothing). */
export function wasNotSent(err: unknown): boolean {
  return err instanceof ModbusError && err.notSent;
}

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target failed to respond',
};

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends ModbusError {
  constructor(readonly code: number, context: ModbusContext, options?: { cause?: unknown }) {
    super(`exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'})`, context, options);
  }
}

/** No answer within the connection's timeout. */
export class ModbusTimeoutError extends ModbusError {}

/** The link is down (connect refused, socket closed, serial port gone) or backing off. */
export class ModbusConnectionError extends ModbusError {}

/** The reply was malformed (wrong length, CRC, wrong unit). */
export class ModbusReplyError extends ModbusError {}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The message of anything thrown: an Error's message, or the thrown value as text. An error from
 * another realm (Node's fs errors under Jest's VM context) is not `instanceof Error` but has a message.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(err);
}

/** Anything thrown as an Error (a thrown string or number becomes the message). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
