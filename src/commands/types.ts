/**
 * The shapes every command shares, whichever way it arrived (a JSON line on stdin from
 * `hassio.app_stdin`, or a `modbus_optimizer_command` event in Home Assistant): who sent it, the
 * result that goes back as a `modbus_optimizer_result` event, and the error codes a caller can act on.
 */

/** Who sent a command; kept with it for the audit log. */
export type Caller =
  | { source: 'stdin' }
  | { source: 'event'; userId: string | null }
  /** A control entity or the command topic on the MQTT broker. */
  | { source: 'mqtt' }
  /** The ingress dashboard: the HA user from the proxy's X-Remote-User-Name / -Id headers (null when absent). */
  | { source: 'dashboard'; userName: string | null; userId: string | null };

/** The dashboard user's audit name: `dashboard:<name>` (or the id, or `dashboard` alone when neither came). */
export function dashboardCallerId(caller: { userName: string | null; userId: string | null }): string {
  const who = caller.userName ?? caller.userId;
  return who === null ? 'dashboard' : `dashboard:${who}`;
}

/** The audit's "who": the HA user id, 'stdin', 'mqtt', or a dashboard user. */
export function callerId(caller: Caller): string {
  if (caller.source === 'stdin' || caller.source === 'mqtt') return caller.source;
  if (caller.source === 'dashboard') return dashboardCallerId(caller);
  return caller.userId ?? 'unknown HA user';
}

export function describeCaller(caller: Caller): string {
  if (caller.source === 'stdin') return 'stdin';
  if (caller.source === 'mqtt') return 'MQTT';
  if (caller.source === 'dashboard') return `the dashboard (${caller.userName ?? caller.userId ?? 'no HA user'})`;
  return caller.userId === null ? 'an HA event without a user' : `HA user ${caller.userId}`;
}

export const ERROR_CODES = [
  'invalid_json', 'not_an_object', 'unknown_command', 'missing_argument', 'invalid_argument', 'unknown_entity',
  'not_writable', 'failed',
] as const;
export type CommandErrorCode = (typeof ERROR_CODES)[number];

/** A command could not be carried out; the code says why in a way automations can test. */
export class CommandError extends Error {
  constructor(readonly code: CommandErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export interface CommandResult {
  /** Echoed when the request carried one. */
  request_id?: string | number;
  /** The command name, or null when the input had none. */
  command: string | null;
  success: boolean;
  result?: unknown;
  error?: { code: CommandErrorCode; message: string };
}

/** One handled command: what the audit log and the result event are built from. */
export interface CommandOutcome {
  caller: Caller;
  at: number;
  result: CommandResult;
}

export interface CommandEvents {
  commandHandled: CommandOutcome;
}
