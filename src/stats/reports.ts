/**
 * Turns an entity's analysis into the plain report objects of the StatsView (rates per hour,
 * regime splits with labels, the current regime, predictions). Kept apart from the service so the
 * service only does bookkeeping and the shapes live next to each other.
 */
import { changeProbability, type RateFit } from './censoredRate.js';
import { currentSegment, type Analysis, type EntityRecord } from './analysis.js';
import type { ContextStates } from './contexts.js';
import { toEstimate } from './rateModel.js';
import { fitBuckets, type RegimeInput, type SplitFit } from './regimes.js';
import type { CurrentRegime, Prediction, RegimeReport, RegimeSplit, StatsOptions } from './types.js';

const HOUR = 3_600_000;

export function splitReport(a: Analysis, s: SplitFit): RegimeSplit {
  return {
    kind: s.kind, key: s.key, deltaBic: s.deltaBic, significant: s.significant, confidence: s.confidence,
    segments: s.segments.map((seg) => ({
      label: seg.label, fromHour: seg.fromHour, toHour: seg.toHour, state: seg.state, rate: toEstimate(seg.fit, a.model),
    })),
  };
}

export function regimeReport(rec: EntityRecord, a: Analysis, input: RegimeInput): RegimeReport {
  const span = 24 / input.hourBuckets;
  const hourly = Array.from({ length: input.hourBuckets }, (_, h) => {
    const fit = fitBuckets(input, [h]);
    return { fromHour: h * span, toHour: (h + 1) * span, ratePerHour: fit.ratePerMs * HOUR, samples: fit.polls };
  });
  return {
    entityId: rec.id,
    overall: toEstimate(a.overall, a.model),
    hourly,
    timeOfDay: a.timeOfDay ? splitReport(a, a.timeOfDay) : undefined,
    contexts: a.contexts.map((s) => splitReport(a, s)),
    best: a.best ? splitReport(a, a.best) : undefined,
  };
}

/** The fit that applies now: the current segment's when a split is significant, else the overall one. */
export function currentFit(a: Analysis, hourBucket: number, contexts: ContextStates): { fit: RateFit; label: string } {
  const seg = currentSegment(a, hourBucket, contexts);
  return seg ? { fit: seg.fit, label: seg.label } : { fit: a.overall, label: 'all' };
}

export function currentRegimeReport(rec: EntityRecord, a: Analysis, hourBucket: number, contexts: ContextStates): CurrentRegime {
  const seg = a.best ? currentSegment(a, hourBucket, contexts) : undefined;
  if (!a.best || !seg) {
    return { entityId: rec.id, kind: 'none', key: undefined, label: 'all', rate: toEstimate(a.overall, a.model), confidence: 1 };
  }
  return {
    entityId: rec.id, kind: a.best.kind, key: a.best.key, label: seg.label, rate: toEstimate(seg.fit, a.model),
    confidence: a.best.confidence,
  };
}

export function predictionOf(rec: EntityRecord, a: Analysis, hourBucket: number, contexts: ContextStates, windowMs: number, o: StatsOptions): Prediction {
  const { fit, label } = currentFit(a, hourBucket, contexts);
  const intervalMs = rec.tracker.lastIntervalMs > 0 ? rec.tracker.lastIntervalMs : o.minRecommendedMs;
  const rate = fit.ratePerMs;
  const perPoll = a.model.model === 'counter' ? 1 - Math.exp(-rate * intervalMs) : changeProbability(rate, intervalMs, a.model.c);
  return {
    entityId: rec.id,
    windowMs,
    expectedChanges: rate * windowMs,
    expectedChangedPolls: (windowMs / intervalMs) * perPoll,
    pAnyChange: -Math.expm1(-rate * windowMs),
    saturated: fit.saturated,
    regime: label,
  };
}
