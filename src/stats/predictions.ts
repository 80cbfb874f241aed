/**
 * Predictions and how good they were. At the start of each window every entity's current-regime
 * model is frozen; each poll in the window then adds what that model expected (the chance of seeing
 * a change after that poll's interval, or λT increments for a counter) next to what was observed.
 * Scoring against the polls actually made keeps interval changes from counting as prediction errors.
 * Windows close on the clock; the last `keep` windows give `prediction_accuracy`. Saturated and
 * unknown entities make no prediction (their rate is only a bound).
 */
import { changeProbability } from './censoredRate.js';
import type { PredictionAccuracy } from './types.js';

export interface FrozenModel {
  ratePerMs: number;
  c: number;
  /** Counter step (value units); 0 for censored models. */
  step: number;
}

interface Slot {
  model: FrozenModel;
  expected: number;
  observed: number;
  polls: number;
}

interface WindowScore {
  absError: number;
  maxSum: number;
  observed: number;
  expected: number;
  scored: number;
}

export interface PredictionJSON {
  slots: Array<[number, number, number, number, number, number, number]>;
  history: Array<[number, number, number, number, number]>;
}

export class PredictionTracker {
  private slots = new Map<number, Slot>();
  private history: WindowScore[] = [];

  constructor(private readonly keep: number) {}

  onSample(e: number, T: number, changed: boolean, delta: number): void {
    const slot = this.slots.get(e);
    if (!slot || !(T > 0)) return;
    const m = slot.model;
    if (m.step > 0) {
      if (!Number.isFinite(delta)) return;
      slot.expected += m.ratePerMs * T;
      slot.observed += delta / m.step;
    } else {
      slot.expected += changeProbability(m.ratePerMs, T, m.c);
      slot.observed += changed ? 1 : 0;
    }
    slot.polls++;
  }

  /** Scores the window that ends now and freezes the models for the next one. */
  closeWindow(entities: Iterable<number>, freeze: (e: number) => FrozenModel | undefined): void {
    const score: WindowScore = { absError: 0, maxSum: 0, observed: 0, expected: 0, scored: 0 };
    for (const slot of this.slots.values()) {
      if (slot.polls === 0) continue;
      score.absError += Math.abs(slot.observed - slot.expected);
      score.maxSum += Math.max(slot.observed, slot.expected);
      score.observed += slot.observed;
      score.expected += slot.expected;
      score.scored++;
    }
    if (score.scored > 0) {
      this.history.push(score);
      if (this.history.length > this.keep) this.history.shift();
    }
    this.slots = new Map();
    for (const e of entities) {
      const model = freeze(e);
      if (model) this.slots.set(e, { model, expected: 0, observed: 0, polls: 0 });
    }
  }

  accuracy(): PredictionAccuracy {
    const t = this.history.reduce(
      (s, w) => ({ absError: s.absError + w.absError, maxSum: s.maxSum + w.maxSum, observed: s.observed + w.observed, expected: s.expected + w.expected, scored: s.scored + w.scored }),
      { absError: 0, maxSum: 0, observed: 0, expected: 0, scored: 0 },
    );
    return {
      accuracy: t.maxSum > 0 ? 1 - t.absError / t.maxSum : undefined,
      calibration: t.expected > 0 ? t.observed / t.expected : undefined,
      windows: this.history.length,
      scored: t.scored,
    };
  }

  toJSON(): PredictionJSON {
    return {
      slots: [...this.slots].map(([e, s]) => [e, s.model.ratePerMs, s.model.c, s.model.step, s.expected, s.observed, s.polls]),
      history: this.history.map((w) => [w.absError, w.maxSum, w.observed, w.expected, w.scored]),
    };
  }

  static fromJSON(json: PredictionJSON, keep: number): PredictionTracker {
    const p = new PredictionTracker(keep);
    for (const [e, ratePerMs, c, step, expected, observed, polls] of json.slots) {
      p.slots.set(e, { model: { ratePerMs, c, step }, expected, observed, polls });
    }
    p.history = json.history.map(([absError, maxSum, observed, expected, scored]) => ({ absError, maxSum, observed, expected, scored }));
    return p;
  }
}
