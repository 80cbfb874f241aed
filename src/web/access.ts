/**
 * Who may talk to the dashboard and who they are. Inside Home Assistant only the supervisor's
 * ingress proxy (172.30.32.2) may connect; it tells us the path prefix the page lives under
 * (X-Ingress-Path) and the logged-in user (X-Remote-User-Id/-Name/-Display-Name). Pure functions, so
 * the address check is table-tested without a network.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../commands/types.js';

/** The supervisor's ingress proxy: the only peer allowed in app mode. */
export const INGRESS_PROXY_ADDRESS = '172.30.32.2';

/** An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d; compare the plain form. */
export function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

/** True when `remote` may use the dashboard: always without an allow list, else only listed peers. */
export function isAllowedPeer(remote: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  const peer = normaliseAddress(remote);
  return peer !== '' && allowed.some((a) => normaliseAddress(a) === peer);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * The ingress prefix as a safe `<base href>`: a path of plain characters ending in '/', or '' when
 * absent or odd (then the page's relative links resolve against its own URL, which also works).
 */
export function ingressBase(headers: IncomingHttpHeaders): string {
  const path = header(headers, 'x-ingress-path');
  // A plain absolute path: no scheme, no '//' (a protocol-relative base would load another host), no '..'.
  if (path === undefined || !/^\/[A-Za-z0-9_\-./]*$/.test(path) || path.includes('..') || path.includes('//')) return '';
  return path.endsWith('/') ? path : `${path}/`;
}

/** Header values are at most this long in the audit (a proxy never sends more; a forger gets cut). */
const MAX_USER_CHARS = 100;

/** The command caller for a dashboard request: the HA user the ingress proxy names, if any. */
export function dashboardCaller(headers: IncomingHttpHeaders): Extract<Caller, { source: 'dashboard' }> {
  const clip = (v: string | undefined) => (v === undefined ? null : v.slice(0, MAX_USER_CHARS));
  return {
    source: 'dashboard',
    userName: clip(header(headers, 'x-remote-user-name') ?? header(headers, 'x-remote-user-display-name')),
    userId: clip(header(headers, 'x-remote-user-id')),
  };
}
