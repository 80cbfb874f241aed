/**
 * Process entry: the only module that touches `process`. Reads the environment, loads and validates
 * options (or starts the demo site when there are none), builds the real clock, randomness and
 * logger, starts the app (stdin is its command input), and stops it cleanly on SIGTERM/SIGINT.
 * Exit codes: 0 clean stop, 2 invalid options, 3 another instance holds the data folder (its lock
 * file), 1 anything else fatal (Home Assistant refusing the token included).
 */
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from './app.js';
import { resolveWithDiscovery } from './boot.js';
import { readRuntimeEnv } from './config/env.js';
import { loadOptionsFile } from './config/load.js';
import { readRegisterFiles } from './config/registerFiles.js';
import { createSystemClock } from './core/clock.js';
import { ConfigError, describeError } from './core/errors.js';
import { createLogger, type Logger } from './core/logger.js';
import { createNodeScheduler } from './core/scheduler.js';
import { PartStartError } from './core/lifecycle.js';
import { DataFolderLockedError } from './store/dataLock.js';
import { writeDurably } from './store/durableWrite.js';
import { chooseBroker, describeBroker, type BrokerSettings } from './mqtt/brokerSettings.js';
import { fetchSupervisorMqtt } from './mqtt/supervisorBroker.js';
import { startDemo, type RunningDemo } from './sim/demo.js';
import type { ResolvedOptions } from './config/resolve.js';
import type { RuntimeEnv } from './config/env.js';
import { resolveProxies } from './config/proxies.js';
import { LOOPBACK_CLIENTS } from './modbus/proxy/clientAccess.js';
import type { ProxyDef } from './modbus/types.js';

const EXIT_BAD_OPTIONS = 2;
const EXIT_DATA_FOLDER_LOCKED = 3;
/** config.yaml's ingress_port. */
const INGRESS_PORT = 8099;

async function main(): Promise<void> {
  const clock = createSystemClock();
  const logger = createLogger({ level: 'info', now: () => clock.now() });
  const env = readRuntimeEnv(process.env);
  if (env.haToken) logger.addSecret(env.haToken);

  let demo: RunningDemo | undefined;
  let raw: unknown;
  if (env.mode === 'standalone' && env.optionsFile === undefined) {
    demo = await startDemo(clock, env.demoSeed, env.demoPort);
    logger.info(`No OPTIONS_FILE: running the demo site, simulated devices on Modbus TCP 127.0.0.1:${demo.port}`);
    raw = demo.options;
  } else {
    raw = await loadOptionsFile(env.optionsFile ?? '', (p) => readFile(p, 'utf8'));
  }
  await mkdir(env.dataDir, { recursive: true });
  const resolved = await resolveWithDiscovery(raw, await readRegisterFiles(raw, env.configDir, (p) => readFile(p, 'utf8')), {
    clock, logger, dataDir: env.dataDir, readFile: readIfThere, writeFile: async (file, text) => { await writeDurably(file, [text]); },
  });
  logger.setLevel(resolved.logLevel);

  if (env.haUrl !== undefined && !/^https?:\/\/[^/]/.test(env.haUrl)) {
    throw new ConfigError([`HA_URL "${env.haUrl}" must start with http:// or https://, e.g. http://homeassistant.local:8123`]);
  }
  if ((env.haUrl === undefined) !== (env.haToken === undefined)) {
    logger.warn(`${env.haUrl === undefined ? 'HA_TOKEN' : 'HA_URL'} is set without ${env.haUrl === undefined ? 'HA_URL' : 'HA_TOKEN'}: both are needed`);
  }
  const broker = await brokerFor(resolved, env, logger);
  if (broker) logger.info(`Entities go to Home Assistant by MQTT discovery: broker ${describeBroker(broker)}`);
  const app = createApp({
    clock, logger, random: Math.random, connections: resolved.connections, entities: resolved.entities, devices: resolved.devices,
    mqtt: broker && { broker }, version: await appVersion(), allowRawWrites: resolved.options.allow_raw_writes,
    proxies: [...resolveProxies(resolved.options.proxies, env.mode), ...demoProxy(env, demo ? resolved.connections[0]?.name : undefined)],
    statusEveryMs: demo ? 10_000 : 60_000,
    homeAssistant: env.haUrl !== undefined && env.haToken !== undefined ? { url: env.haUrl, token: env.haToken } : undefined,
    contextEntities: resolved.options.context_entities,
    commandInput: process.stdin,
    statisticsEveryMs: demo ? 10_000 : 30_000,
    optimizer: resolved.optimizer,
    scheduler: createNodeScheduler(clock, (name, err) => logger.error(`Job ${name} failed: ${describeError(err)}`)),
    dataDir: env.dataDir,
    instance: { pid: process.pid, isRunning: runsThisApp },
    resourceProbes: { cpuLoad: () => (os.loadavg()[0] ?? 0) / Math.max(1, os.cpus().length), loopLagMs: eventLoopLag() },
    web: webOptions(env.mode, env.webPort, resolved.options.web_port, env.webAllowedHosts),
  });
  const shutdown = installShutdown(logger, async () => {
    await app.stop();
    await demo?.stop();
  });
  // The HA module has logged the one fatal line already.
  app.events.on('main', 'fatal', () => shutdown('Stopping after a fatal error', 1));
  await app.start();
  const url = app.web?.url();
  if (url !== undefined && env.mode === 'standalone') logger.info(`Dashboard: ${url}`);
}

/** Event-loop delay beyond the sampling resolution (ms), 99th percentile since the previous call. */
function eventLoopLag(): () => number {
  const resolutionMs = 20;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return () => {
    const ms = histogram.count > 0 ? histogram.percentile(99) / 1e6 - resolutionMs : 0;
    histogram.reset();
    return Math.max(0, ms);
  };
}

/** A file's text, or undefined when it does not exist. */
async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw err;
  }
}


/** The MQTT broker (option, MQTT_URL, or in app mode the supervisor's Mosquitto service), or undefined for REST. */
async function brokerFor(resolved: ResolvedOptions, env: RuntimeEnv, logger: Logger): Promise<BrokerSettings | undefined> {
  const { supervisorUrl, haToken } = env;
  const supervisor = env.mode === 'app' && supervisorUrl !== undefined && haToken !== undefined
    ? async () => {
      try {
        return await fetchSupervisorMqtt(fetch, supervisorUrl, haToken, AbortSignal.timeout(10_000));
      } catch (err) {
        logger.warn(`No MQTT broker from the supervisor (${describeError(err)}); using REST states`);
        return undefined;
      }
    }
    : undefined;
  // createApp registers the password as a secret
  return chooseBroker({ transport: resolved.options.ha_transport, option: resolved.options.mqtt, mqttUrl: env.mqttUrl, supervisor });
}

/** PROXY_PORT with the demo: a read-only loopback proxy for the demo's gateway. */
function demoProxy(env: RuntimeEnv, connection: string | undefined): ProxyDef[] {
  if (env.proxyPort === undefined) return [];
  if (connection === undefined) throw new ConfigError(['PROXY_PORT only applies to the demo (no OPTIONS_FILE); with your own options use the proxies option']);
  return [{ connection, port: env.proxyPort, bind: '127.0.0.1', maxAgeMs: 5000, readOnly: true, allowedClients: LOOPBACK_CLIENTS, unitMap: new Map() }];
}

/** package.json's version (dist/src/main.js → ../../package.json), or "unknown". */
async function appVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Whether `pid` runs (signal 0 probes without signalling) and is a node process, as this app is. */
async function runsThisApp(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // after a container restart the old pid may belong to something else; /proc says what (Linux)
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.includes('node');
}

/** The ingress port for the supervisor's proxy in app mode; loopback (WEB_PORT, web_port, 8099; 0 = off; WEB_ALLOWED_HOSTS) standalone. */
function webOptions(mode: 'app' | 'standalone', envPort: string | undefined, optionPort: number | undefined, allowedHosts: string[]) {
  if (mode === 'app') return { port: INGRESS_PORT, host: '0.0.0.0', ingressOnly: true };
  const port = envPort === undefined ? (optionPort ?? INGRESS_PORT) : Number(envPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError([`WEB_PORT "${envPort}" is not a port number (0 … 65535; 0 turns the dashboard off)`]);
  }
  return port === 0 ? undefined : { port, host: '127.0.0.1', ingressOnly: false, allowedHosts };
}

/** Stops once (signals or a fatal error), then exits with the given code (1 if stopping failed). */
function installShutdown(logger: Logger, stop: () => Promise<void>): (why: string, code: number) => void {
  let stopping = false;
  const shutdown = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info(why);
    stop().then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error(`Stop failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM received, stopping', 0));
  process.on('SIGINT', () => shutdown('SIGINT received, stopping', 0));
  return shutdown;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT_BAD_OPTIONS);
  }
  if (err instanceof PartStartError && err.cause instanceof DataFolderLockedError) {
    process.stderr.write(`Not starting: ${err.cause.message}\n`);
    process.exit(EXIT_DATA_FOLDER_LOCKED);
  }
  process.stderr.write(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
