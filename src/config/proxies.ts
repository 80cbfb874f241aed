/**
 * The `proxies` option resolved for the mode the app runs in: inside Home Assistant a proxy listens
 * on all interfaces (config.yaml maps the port) and admits private ranges; standalone it listens on
 * loopback and admits loopback, unless the options say otherwise. The demo's PROXY_PORT adds one for
 * the demo gateway. Cross checks: the connection exists, ports are distinct, client entries parse.
 */
import { clientEntryProblem, LOOPBACK_CLIENTS, PRIVATE_CLIENTS } from '../modbus/proxy/clientAccess.js';
import type { ProxyDef } from '../modbus/types.js';
import type { ProxyOptions } from './options.js';

/** Problems of the proxies option that only the whole options can show (one line each). */
export function proxyProblems(proxies: readonly ProxyOptions[], connections: readonly string[]): string[] {
  const problems: string[] = [];
  const ports = new Map<number, number>();
  proxies.forEach((p, i) => {
    const at = `proxies[${i}] (${p.connection})`;
    if (!connections.includes(p.connection)) problems.push(`${at}: connection "${p.connection}" is not configured (known: ${connections.join(', ') || 'none'})`);
    const first = ports.get(p.port);
    if (first !== undefined) problems.push(`${at}: port ${p.port} is already used by proxies[${first}]`);
    else ports.set(p.port, i);
    for (const entry of p.allowed_clients ?? []) {
      const problem = clientEntryProblem(entry);
      if (problem) problems.push(`${at}: allowed_clients: ${problem}`);
    }
    const seen = new Set<number>();
    for (const m of p.unit_map) {
      if (seen.has(m.client)) problems.push(`${at}: unit_map: client unit ${m.client} is mapped twice`);
      seen.add(m.client);
    }
  });
  return problems;
}

/** The checked option with the mode's defaults for bind and allowed_clients. */
export function resolveProxies(proxies: readonly ProxyOptions[], mode: 'app' | 'standalone'): ProxyDef[] {
  return proxies.map((p) => ({
    connection: p.connection, port: p.port, bind: p.bind ?? (mode === 'app' ? '0.0.0.0' : '127.0.0.1'),
    maxAgeMs: Math.round(p.max_age * 1000), readOnly: p.read_only,
    allowedClients: p.allowed_clients ?? (mode === 'app' ? PRIVATE_CLIENTS : LOOPBACK_CLIENTS),
    unitMap: new Map(p.unit_map.map((m) => [m.client, m.device])),
  }));
}
