/**
 * Asks the supervisor for the MQTT service (`GET /services/mqtt` with the SUPERVISOR_TOKEN, which
 * config.yaml's `services: mqtt:want` grants). No broker installed is an answer (undefined, REST is
 * used), not an error; anything else unexpected is logged once by the caller and also means REST.
 */
import { describeError } from '../core/errors.js';
import type { SupervisorMqtt } from './brokerSettings.js';

export type Fetch = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export class SupervisorServiceError extends Error {}

export async function fetchSupervisorMqtt(fetchFn: Fetch, baseUrl: string, token: string, signal?: AbortSignal): Promise<SupervisorMqtt | undefined> {
  let res: { status: number; json(): Promise<unknown> };
  try {
    res = await fetchFn(`${baseUrl}/services/mqtt`, { headers: { Authorization: `Bearer ${token}` }, signal });
  } catch (err) {
    throw new SupervisorServiceError(`the supervisor's services/mqtt did not answer: ${describeError(err)}`, { cause: err });
  }
  // The supervisor answers 400 when no app provides the service.
  if (res.status === 400 || res.status === 404) return undefined;
  if (res.status !== 200) throw new SupervisorServiceError(`the supervisor's services/mqtt answered HTTP ${res.status}`);
  const body = (await res.json()) as { result?: unknown; data?: Record<string, unknown> } | null;
  const d = body?.data;
  if (!d || typeof d.host !== 'string' || typeof d.port !== 'number') {
    throw new SupervisorServiceError('the supervisor\'s services/mqtt answered without data.host and data.port');
  }
  return {
    host: d.host, port: d.port, ssl: d.ssl === true,
    username: typeof d.username === 'string' ? d.username : undefined,
    password: typeof d.password === 'string' ? d.password : undefined,
  };
}
