/**
 * What this app left on the broker last time: the retained discovery configs under the discovery
 * prefix whose origin is this app and whose components answer to this base topic. The broker sends
 * retained messages right after a subscription is granted, in order; a marker published to a topic of
 * our own after the grant arrives behind them, so its arrival means the scan is complete (with a
 * timeout in case the broker drops it). Also decides what to remove: devices no longer configured
 * (cleared entirely) and components a device no longer has (announced once with only their platform,
 * as HA's device discovery asks).
 */
import type { Clock } from '../core/clock.js';
import type { Component, DiscoveryConfig } from './discovery.js';
import { ORIGIN_NAME } from './discovery.js';
import type { Topics } from './topics.js';

export type RetainedConfigs = Map<string, { cmps: Record<string, Component> }>;

/** Whether a retained discovery payload is one this app (this base topic) published. */
export function isOurs(payload: unknown, topics: Topics): payload is { cmps: Record<string, Component> } {
  if (payload === null || typeof payload !== 'object') return false;
  const p = payload as { o?: { name?: unknown }; cmps?: unknown };
  if (p.o?.name !== ORIGIN_NAME || p.cmps === null || typeof p.cmps !== 'object') return false;
  return JSON.stringify(p.cmps).includes(JSON.stringify(topics.status));
}

export interface ScanDeps {
  clock: Clock;
  topics: Topics;
  subscribe(topics: string[]): Promise<void>;
  unsubscribe(topics: string[]): Promise<void>;
  send(topic: string, text: string): void;
  /** Registers the scan's message listener; returns its removal. */
  listen(fn: (topic: string, payload: string) => void): () => void;
  timeoutMs: number;
}

export async function scanRetained(deps: ScanDeps, nonce: string): Promise<RetainedConfigs> {
  const { topics } = deps;
  const marker = `${topics.options.baseTopic}/scan/${nonce}`;
  const found: RetainedConfigs = new Map();
  const prefix = `${topics.options.discoveryPrefix}/device/`;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const stopListening = deps.listen((topic, payload) => {
    if (topic === marker) return done();
    if (!topic.startsWith(prefix) || !topic.endsWith('/config') || payload === '') return;
    try {
      const parsed: unknown = JSON.parse(payload);
      if (isOurs(parsed, topics)) found.set(topic.slice(prefix.length, -'/config'.length), parsed);
    } catch {
      // someone else's malformed config: not ours to touch
    }
  });
  const timer = deps.clock.setTimer(() => done(), deps.timeoutMs);
  try {
    await deps.subscribe([topics.allDiscovery, marker]);
    deps.send(marker, 'scan');
    await finished;
  } finally {
    deps.clock.clearTimer(timer);
    stopListening();
    await deps.unsubscribe([topics.allDiscovery, marker]).catch(() => undefined);
  }
  return found;
}

export interface Removals {
  /** Object ids of devices to clear entirely, with the topics their components used. */
  devices: Array<{ objectId: string; topics: string[] }>;
  /** Per kept device: components to announce once with only `p`. */
  components: Map<string, Record<string, Component>>;
  /** State, attribute and availability topics of removed components. */
  topics: string[];
}

/** Topics a component published to (to clear retained values of what was removed). */
function topicsOf(c: Component): string[] {
  const out = ['stat_t', 'json_attr_t'].map((k) => c[k]).filter((t): t is string => typeof t === 'string');
  const avty = Array.isArray(c.avty) ? c.avty as Array<{ t?: unknown }> : [];
  return [...out, ...avty.map((a) => a.t).filter((t): t is string => typeof t === 'string' && /\/entity\//.test(t))];
}

export function removals(previous: RetainedConfigs, next: readonly DiscoveryConfig[]): Removals {
  const current = new Map(next.map((c) => [c.objectId, c]));
  const out: Removals = { devices: [], components: new Map(), topics: [] };
  for (const [objectId, old] of previous) {
    const kept = current.get(objectId);
    const oldComponents = Object.entries(old.cmps).filter(([, c]) => Object.keys(c).length > 1); // {p} only: already removed
    if (!kept) {
      out.devices.push({ objectId, topics: oldComponents.flatMap(([, c]) => topicsOf(c)) });
      continue;
    }
    const gone: Record<string, Component> = {};
    for (const [key, c] of oldComponents) {
      if (kept.payload.cmps[key] !== undefined) continue;
      gone[key] = { p: c.p };
      out.topics.push(...topicsOf(c));
    }
    if (Object.keys(gone).length > 0) out.components.set(objectId, gone);
  }
  // An entity that moved to another device keeps its topics.
  const used = new Set(next.flatMap((c) => Object.values(c.payload.cmps).flatMap(topicsOf)));
  out.topics = out.topics.filter((t) => !used.has(t));
  for (const d of out.devices) d.topics = d.topics.filter((t) => !used.has(t));
  return out;
}
