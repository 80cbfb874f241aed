/**
 * The registry of the app's own statistics sensors, `sensor.modbus_optimizer_<key>`: one read model
 * that the HA face publishes, `get_statistics` answers from and the MQTT face will announce. Parts
 * contribute through a small provider interface (the poller's figures, the optimizer's; a provider
 * registered under a name already in use replaces the old one). Values are computed once per tick,
 * so rate windows are not disturbed by someone asking for them in between.
 */

export const STATISTICS_PREFIX = 'sensor.modbus_optimizer_';

export interface StatisticSensor {
  /** Entity id suffix: sensor.modbus_optimizer_<key>; [a-z0-9_]+. */
  key: string;
  /** Friendly name (shown after "Modbus Optimizer "). */
  name: string;
  unit?: string;
  deviceClass?: string;
  stateClass?: 'measurement' | 'total' | 'total_increasing';
  icon?: string;
}

export interface StatisticValue {
  key: string;
  /** null = not known yet (HA shows "unknown"). */
  value: number | string | null;
  attributes?: Record<string, unknown>;
}

export interface StatisticsProvider {
  /** Registering a provider with a name already in use replaces the old one. */
  readonly name: string;
  sensors(): readonly StatisticSensor[];
  /** Called once per statistics tick. */
  read(now: number): StatisticValue[];
}

export interface RenderedStatistic {
  entityId: string;
  state: string;
  attributes: Record<string, unknown>;
}

export class StatisticsSensors {
  private readonly providers = new Map<string, StatisticsProvider>();
  private latest = new Map<string, { value: StatisticValue['value']; rendered: RenderedStatistic }>();
  private readonly listeners: Array<() => void> = [];

  register(provider: StatisticsProvider): void {
    this.providers.set(provider.name, provider);
    for (const fn of this.listeners) fn();
  }

  /** Called after each register (new sensors need declaring before they are published). */
  onRegister(fn: () => void): void {
    this.listeners.push(fn);
  }

  sensors(): Array<{ entityId: string; provider: string; sensor: StatisticSensor }> {
    return [...this.providers.values()].flatMap((p) =>
      p.sensors().map((sensor) => ({ entityId: STATISTICS_PREFIX + sensor.key, provider: p.name, sensor })));
  }

  /** Reads every provider; returns the rendered states (one per declared sensor). */
  tick(now: number): RenderedStatistic[] {
    const next = new Map<string, { value: StatisticValue['value']; rendered: RenderedStatistic }>();
    for (const provider of this.providers.values()) {
      const values = new Map(provider.read(now).map((v) => [v.key, v]));
      for (const sensor of provider.sensors()) {
        const v = values.get(sensor.key);
        const value = v?.value ?? null;
        next.set(sensor.key, { value, rendered: render(sensor, value, v?.attributes) });
      }
    }
    this.latest = next;
    return [...next.values()].map((x) => x.rendered);
  }

  /** The values of the last tick by key (for get_statistics). */
  values(): Record<string, number | string | null> {
    return Object.fromEntries([...this.latest].map(([key, x]) => [key, x.value]));
  }
}

function render(sensor: StatisticSensor, value: StatisticValue['value'], extra: Record<string, unknown> | undefined): RenderedStatistic {
  const attributes: Record<string, unknown> = { ...extra, friendly_name: `Modbus Optimizer ${sensor.name}` };
  if (sensor.unit !== undefined) attributes.unit_of_measurement = sensor.unit;
  if (sensor.deviceClass !== undefined) attributes.device_class = sensor.deviceClass;
  if (sensor.stateClass !== undefined) attributes.state_class = sensor.stateClass;
  if (sensor.icon !== undefined) attributes.icon = sensor.icon;
  return { entityId: STATISTICS_PREFIX + sensor.key, state: value === null ? 'unknown' : String(value), attributes };
}
