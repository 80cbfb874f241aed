/**
 * The configured Modbus entities as REST states (src/telemetry/entityPresentation.ts says how each
 * looks): every sample's state text with its attributes, and `unavailable` once its reads have kept
 * failing for longer than a grace period (one failed read is not an outage).
 */
import type { Clock } from '../core/clock.js';
import type { ReadFailure, Sample } from '../modbus/pollerTypes.js';
import type { EntityDef } from '../modbus/types.js';
import { attributesOf, haEntityIdOf, stateTextOf } from '../telemetry/entityPresentation.js';
import { OutageTracker } from '../telemetry/outages.js';
import type { StatePublisher } from './publisher.js';

export interface EntitySensorsDeps {
  clock: Clock;
  publisher: StatePublisher;
  /** In config order: the index names the option in conflict messages. */
  entities: readonly EntityDef[];
  /** Reads must keep failing this long (and at least twice) before the sensor shows unavailable. */
  unavailableAfterMs: number;
}

interface Tracked {
  def: EntityDef;
  haId: string;
  attributes: Record<string, unknown>;
}

export class EntitySensors {
  private readonly byId = new Map<string, Tracked>();
  private readonly outages: OutageTracker;

  constructor(private readonly deps: EntitySensorsDeps) {
    const keep = new Set(deps.entities.filter((e) => e.keepLastValue).map((e) => e.id));
    this.outages = new OutageTracker(deps.unavailableAfterMs, (id) => keep.has(id));
    deps.entities.forEach((def, index) => {
      const haId = haEntityIdOf(def);
      this.byId.set(def.id, { def, haId, attributes: attributesOf(def) });
      deps.publisher.declare(haId, `entities[${index}] (${def.name}): change its "id" option (now "${def.id}") to publish it`);
    });
  }

  onSample(sample: Sample): void {
    const t = this.byId.get(sample.entityId);
    if (!t) return;
    this.outages.onSample(t.def.id);
    this.deps.publisher.set(t.haId, stateTextOf(t.def, sample.value), t.attributes);
  }

  onReadError(failure: ReadFailure): void {
    const t = this.byId.get(failure.entityId);
    if (!t) return;
    if (this.outages.onReadError(failure)) this.deps.publisher.set(t.haId, 'unavailable', t.attributes);
  }
}
