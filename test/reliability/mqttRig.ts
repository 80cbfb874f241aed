/**
 * The outside view the fault scenarios observe the app from: Debian's mosquitto, a Home Assistant side
 * on it (every message kept), and the built app as a child process in MQTT mode. Scenarios send commands
 * the way HA does (the JSON command topic, with a request id, so each answer is found in full) and read
 * the entity states HA would show — nothing reaches into the app's memory.
 */
import { connectHaSide, type HaSide } from '../helpers/haMqttClient.js';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';

export interface CommandAnswer {
  request_id?: string;
  command: string | null;
  success: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface MqttRig {
  app: AppProcess;
  ha: HaSide;
  /** Sends a command on the command topic and resolves with its answer. */
  command(body: Record<string, unknown>, timeoutMs?: number): Promise<CommandAnswer>;
  /** Every state payload published for an entity, in order. */
  states(entityId: string): string[];
  /** Whether the app exited before stop() (a crash). */
  exitedEarly(): boolean;
  stop(): Promise<void>;
}

async function stopApp(app: AppProcess): Promise<void> {
  app.kill('SIGTERM');
  const force = setTimeout(() => app.kill('SIGKILL'), 10_000);
  await app.exit();
  clearTimeout(force);
}

/** Starts broker, HA side and app (`env` on top of MQTT_URL), and waits until the app is online. */
export async function startMqttRig(env: Record<string, string>): Promise<MqttRig> {
  const broker: Broker = await startMosquitto();
  let ha: HaSide | undefined;
  let app: AppProcess | undefined;
  let exited = false;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    if (app) await stopApp(app);
    await ha?.close();
    await broker.stop();
  };
  try {
    ha = await connectHaSide(broker.url);
    app = startAppProcess({ ...env, MQTT_URL: broker.url });
    void app.exit().then(() => { exited = !stopping; });
    const side = ha;
    await side.waitFor(() => side.latest.get('modbus_optimizer/status') === 'online' || undefined, 'the app online', 30_000);
  } catch (err) {
    const output = app?.output() ?? '';
    await stop();
    throw new Error(`${(err as Error).message}; app output:\n${output.slice(-3000)}`, { cause: err });
  }
  const side = ha;
  const running = app;
  let seq = 0;
  return {
    app: running, ha: side, stop, exitedEarly: () => exited,
    async command(body, timeoutMs = 20_000) {
      const id = `rel-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
      await side.publish('modbus_optimizer/command', JSON.stringify({ ...body, request_id: id }));
      return side.waitFor(() => side.log.filter((m) => m.topic === 'modbus_optimizer/result')
        .map((m) => JSON.parse(m.payload) as CommandAnswer).find((r) => r.request_id === id), `the answer to ${String(body.command)}`, timeoutMs);
    },
    states: (entityId) => side.log.filter((m) => m.topic === `modbus_optimizer/entity/${entityId}/state`).map((m) => m.payload),
  };
}
