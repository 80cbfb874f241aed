/**
 * Which mode the process runs in and where its files and Home Assistant are, decided from environment
 * variables alone. main.ts passes `process.env` in; nothing here touches `process`, so tests pass a plain
 * object. Inside Home Assistant the supervisor sets SUPERVISOR_TOKEN; anywhere else it is a standalone run.
 */
import { ConfigError } from '../core/errors.js';

export type RunMode = 'app' | 'standalone';

export interface RuntimeEnv {
  mode: RunMode;
  /** Options file; undefined in standalone mode without OPTIONS_FILE, which runs the demo. */
  optionsFile: string | undefined;
  dataDir: string;
  /** Where register_files are looked up: the app's config folder (/config) in app mode, ./config standalone. */
  configDir: string;
  haUrl: string | undefined;
  haToken: string | undefined;
  /** WEB_PORT as written (checked where the dashboard options are built); undefined = not set. */
  webPort: string | undefined;
  /** WEB_ALLOWED_HOSTS: host names the standalone dashboard answers besides loopback ones (comma-separated). */
  webAllowedHosts: string[];
  /** DEMO_SEED: the demo site's random seed (default 1). */
  demoSeed: number;
  /** DEMO_PORT: the demo gateway's loopback port (default 0 = any free port). */
  demoPort: number;
  /** PROXY_PORT: demo only, a caching Modbus TCP proxy for the demo gateway on this loopback port. */
  proxyPort: number | undefined;
  /** MQTT_URL as written (mqtt://user:pass@host:port; checked where the broker is chosen); undefined = not set. */
  mqttUrl: string | undefined;
  /** The supervisor's API (app mode: http://supervisor, SUPERVISOR_URL only for tests); undefined standalone. */
  supervisorUrl: string | undefined;
}

/** Empty strings count as unset: `FOO= npm start` should not mean "a file named ''". */
function get(env: Record<string, string | undefined>, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value === '' ? undefined : value;
}

/** A whole number from the environment, or the default when unset; a ConfigError names a bad one. */
function integer(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = get(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError([`${key} "${raw}" is not a whole number ≥ 0`]);
  return value;
}

/** A comma-separated list of host names; a ConfigError names an entry that cannot be one. */
function hostList(env: Record<string, string | undefined>, key: string): string[] {
  const names = (get(env, key) ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const bad = names.filter((h) => !/^[a-z0-9._-]+$|^[0-9a-f:]+$/.test(h));
  if (bad.length > 0) throw new ConfigError([`${key}: "${bad.join('", "')}" is not a host name (write names like ha.example.lan, no scheme or port)`]);
  return names;
}

export function readRuntimeEnv(env: Record<string, string | undefined>): RuntimeEnv {
  const supervisorToken = get(env, 'SUPERVISOR_TOKEN');
  const common = { webPort: get(env, 'WEB_PORT'), webAllowedHosts: hostList(env, 'WEB_ALLOWED_HOSTS'), demoSeed: integer(env, 'DEMO_SEED', 1), demoPort: integer(env, 'DEMO_PORT', 0), mqttUrl: get(env, 'MQTT_URL'),
    proxyPort: get(env, 'PROXY_PORT') === undefined ? undefined : integer(env, 'PROXY_PORT', 0) };
  if (supervisorToken !== undefined) {
    const dataDir = get(env, 'DATA_DIR') ?? '/data';
    return {
      ...common,
      mode: 'app',
      optionsFile: `${dataDir}/options.json`,
      dataDir,
      configDir: get(env, 'CONFIG_DIR') ?? '/config',
      // HA_URL only exists so tests can point app mode at a fake supervisor.
      haUrl: get(env, 'HA_URL') ?? 'http://supervisor/core',
      haToken: supervisorToken,
      // SUPERVISOR_URL only exists so tests can point app mode at a fake supervisor.
      supervisorUrl: get(env, 'SUPERVISOR_URL') ?? 'http://supervisor',
    };
  }
  return {
    ...common,
    mode: 'standalone',
    optionsFile: get(env, 'OPTIONS_FILE'),
    dataDir: get(env, 'DATA_DIR') ?? './data',
    configDir: get(env, 'CONFIG_DIR') ?? './config',
    haUrl: get(env, 'HA_URL'),
    haToken: get(env, 'HA_TOKEN'),
    supervisorUrl: undefined,
  };
}
