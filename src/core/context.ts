/**
 * Home Assistant context states (e.g. `sun.sun`, a heat pump's running state) as the rest of the app
 * sees them: the current state of each watched entity and when it last changed. The HA module feeds
 * it from the websocket; the simulator feeds it from simulated time; stats and the optimizer's
 * pattern strategy only read it.
 */
export interface ContextState {
  entityId: string;
  state: string;
  /** When the state last changed (ms since epoch). */
  lastChanged: number;
}

export interface ContextSource {
  /** Entity ids being watched. */
  watched(): string[];
  current(entityId: string): ContextState | undefined;
}

/** Event payload when a watched context entity changes state. */
export interface ContextChange {
  entityId: string;
  state: string;
  previous: string | undefined;
  at: number;
}

/** A ContextSource that is set directly (simulator, tests). */
export class SettableContext implements ContextSource {
  private readonly states = new Map<string, ContextState>();

  constructor(private readonly ids: readonly string[]) {}

  watched(): string[] {
    return [...this.ids];
  }

  current(entityId: string): ContextState | undefined {
    return this.states.get(entityId);
  }

  /** Sets a state; returns the change, or undefined when the state is unchanged. */
  set(entityId: string, state: string, at: number): ContextChange | undefined {
    const previous = this.states.get(entityId)?.state;
    if (previous === state) return undefined;
    this.states.set(entityId, { entityId, state, lastChanged: at });
    return { entityId, state, previous, at };
  }
}
