/**
 * Which mode the process runs in and where its files and Home Assistant are, decided from environment
 * variables alone. main.ts passes `process.env` in; nothing here touches `process`, so tests pass a plain
 * object. Inside Home Assistant the supervisor sets SUPERVISOR_TOKEN; anywhere else it is a standalone run.
 */

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
}

/** Empty strings count as unset: `FOO= npm start` should not mean "a file named ''". */
function get(env: Record<string, string | undefined>, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value === '' ? undefined : value;
}

export function readRuntimeEnv(env: Record<string, string | undefined>): RuntimeEnv {
  const supervisorToken = get(env, 'SUPERVISOR_TOKEN');
  if (supervisorToken !== undefined) {
    const dataDir = get(env, 'DATA_DIR') ?? '/data';
    return {
      mode: 'app',
      optionsFile: `${dataDir}/options.json`,
      dataDir,
      configDir: get(env, 'CONFIG_DIR') ?? '/config',
      // HA_URL only exists so tests can point app mode at a fake supervisor.
      haUrl: get(env, 'HA_URL') ?? 'http://supervisor/core',
      haToken: supervisorToken,
    };
  }
  return {
    mode: 'standalone',
    optionsFile: get(env, 'OPTIONS_FILE'),
    dataDir: get(env, 'DATA_DIR') ?? './data',
    configDir: get(env, 'CONFIG_DIR') ?? './config',
    haUrl: get(env, 'HA_URL'),
    haToken: get(env, 'HA_TOKEN'),
  };
}
