/**
 * Who may talk to the dashboard and who they are. Inside Home Assistant only the supervisor's
 * ingress proxy (172.30.32.2) may connect; it tells us the path prefix the page lives under
 * (X-Ingress-Path) and the logged-in user (X-Remote-User-Id/-Name/-Display-Name). Standalone, the
 * dashboard listens on loopback, and a web page the user visits must still not reach it: a
 * DNS-rebinding page arrives under its own host name (so only loopback names and configured ones are
 * answered), and a command needs a header no cross-site form or simple request can send, from an
 * allowed origin. Pure functions, so every check is table-tested without a network.
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

/** Host names that always mean this machine (RFC 6761: browsers resolve *.localhost to loopback themselves). */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The host name of a Host header or an origin's authority: lower case, without port or IPv6 brackets. */
export function hostNameOf(authority: string | undefined): string | undefined {
  if (authority === undefined) return undefined;
  const text = authority.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9._-]+)(?::\d+)?$/.exec(text);
  return plain?.[1];
}

/** True when a standalone dashboard may answer a request with this Host header. */
export function isAllowedHost(hostHeader: string | undefined, extraHosts: readonly string[]): boolean {
  const name = hostNameOf(hostHeader);
  if (name === undefined || name === '') return false;
  return isLoopbackName(name) || extraHosts.some((h) => h.trim().toLowerCase() === name);
}

/** The header the dashboard's own page sends with every command (a cross-site form cannot set one). */
export const COMMAND_HEADER = 'x-modbus-optimizer';

/**
 * Why a command request must be refused, or undefined when it may run: it must carry COMMAND_HEADER,
 * and standalone, an Origin (browsers send one with every POST) must name an allowed host. Behind
 * the ingress proxy (app mode) the peer check already holds and HA's own origin is the page's.
 */
export function commandRefusal(headers: IncomingHttpHeaders, standalone: { extraHosts: readonly string[] } | undefined): string | undefined {
  if (header(headers, COMMAND_HEADER) === undefined) {
    return `commands need the ${COMMAND_HEADER} header (the dashboard page sends it; a page on another site cannot)`;
  }
  const origin = header(headers, 'origin');
  if (standalone === undefined || origin === undefined) return undefined;
  let authority: string | undefined;
  try {
    authority = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    authority = undefined;
  }
  if (authority === undefined || !isAllowedHost(authority, standalone.extraHosts)) {
    return `commands from the origin ${origin.slice(0, MAX_USER_CHARS)} are refused (only this machine's dashboard and WEB_ALLOWED_HOSTS may send them)`;
  }
  return undefined;
}
