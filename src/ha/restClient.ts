/**
 * Home Assistant's REST call for states: `POST /api/states/<entity_id>` with a bearer token. Time
 * limits run on the injected clock. Failures come back as HaRestError saying whether a retry can
 * help: 5xx, 401 (a token can be fixed without restarting us), timeouts and network errors can;
 * a 400 (bad entity id, state too long) cannot.
 */
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import { HaRestError } from './haErrors.js';

export interface StateBody {
  state: string;
  attributes: Record<string, unknown>;
}

export interface RestDeps {
  /** Base URL (http://supervisor/core, or HA_URL). */
  url: string;
  token: string;
  clock: Clock;
  timeoutMs?: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

export type PostState = (entityId: string, body: StateBody, signal: AbortSignal) => Promise<number>;

/** Builds a poster; it resolves with the status (200 updated, 201 created) or throws HaRestError. */
export function createStatePoster(deps: RestDeps): PostState {
  const base = deps.url.replace(/\/+$/, '');
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return async (entityId, body, outer) => {
    const abort = new AbortController();
    const onOuter = () => abort.abort();
    outer.addEventListener('abort', onOuter);
    const timer = deps.clock.setTimer(() => abort.abort(), timeoutMs);
    try {
      const res = await doFetch(`${base}/api/states/${entityId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${deps.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201) return res.status;
      const detail = `HTTP ${res.status} ${summarise(text)}`;
      throw new HaRestError(entityId, res.status, res.status >= 500 || res.status === 401 || res.status === 429, detail);
    } catch (err) {
      if (err instanceof HaRestError) throw err;
      const why = abort.signal.aborted && !outer.aborted ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
      throw new HaRestError(entityId, undefined, true, why, { cause: err });
    } finally {
      deps.clock.clearTimer(timer);
      outer.removeEventListener('abort', onOuter);
    }
  };
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in its cause. */
function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail ? `${describeError(err)} (${detail})` : describeError(err);
}

/** HA answers errors as {"message": "..."}; fall back to the first characters of the body. */
function summarise(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 120);
}
