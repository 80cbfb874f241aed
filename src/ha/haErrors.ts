/**
 * Errors of the Home Assistant connection, each naming what failed and where, so one log line is
 * enough to tell a wrong token from an unreachable Home Assistant from a rejected state.
 */

/** Home Assistant refused the access token (websocket `auth_invalid` or REST 401). Not retried. */
export class HaAuthError extends Error {
  constructor(readonly url: string, detail: string, options?: { cause?: unknown }) {
    super(`Home Assistant at ${url} rejected the access token: ${detail}`, options);
    this.name = 'HaAuthError';
  }
}

/** The websocket could not be opened or authenticated (refused, timed out, closed early). Retried. */
export class HaConnectError extends Error {
  constructor(readonly url: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot connect to Home Assistant at ${url}: ${detail}`, options);
    this.name = 'HaConnectError';
  }
}

/** A websocket command failed (error result, or the connection was lost while it was in flight). */
export class HaCommandError extends Error {
  constructor(readonly command: string, readonly code: string | number, detail: string, options?: { cause?: unknown }) {
    super(`Home Assistant command ${command} failed (${code}): ${detail}`, options);
    this.name = 'HaCommandError';
  }
}

/** A REST call failed; `retry` says whether trying again later can help (5xx, timeouts, network). */
export class HaRestError extends Error {
  constructor(
    readonly entityId: string,
    readonly status: number | undefined,
    readonly retry: boolean,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`POST /api/states/${entityId} failed: ${detail}`, options);
    this.name = 'HaRestError';
  }
}

/**
 * home-assistant-js-websocket rejects with bare numbers and `{code, message}` objects; this turns
 * whatever it gave into an Error for the named command.
 */
export function toCommandError(command: string, raw: unknown): HaCommandError {
  if (raw instanceof HaCommandError) return raw;
  if (raw !== null && typeof raw === 'object' && 'code' in raw) {
    const { code, message } = raw as { code: unknown; message?: unknown };
    return new HaCommandError(command, typeof code === 'number' ? code : String(code),
      typeof message === 'string' ? message : 'error result');
  }
  if (raw === 3) return new HaCommandError(command, 3, 'connection lost');
  return new HaCommandError(command, 'unknown', raw instanceof Error ? raw.message : String(raw), { cause: raw });
}
