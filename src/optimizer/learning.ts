/**
 * How the loop learns which strategies work. A strategy's success rate is the share of its judged
 * experiments that were adopted (a significant gain: outcome 1; rejected or inconclusive: 0), as an
 * experience-weighted moving average: the step is 1/(n + 1) while a strategy has little experience
 * (so the first verdicts count fully) and never below the configured learning rate (so old
 * experience fades and a site that changed can change the verdict).
 */
export function updatedShare(current: number, evaluations: number, outcome: number, learningRate: number): number {
  const step = Math.max(learningRate, 1 / (evaluations + 1));
  return current + step * (Math.max(0, Math.min(1, outcome)) - current);
}

/**
 * Whether a strategy should run in a full cycle. A strategy that keeps failing (success rate below
 * `floor` after `minEvaluations`) still runs every `exploreEvery`-th time, so it can prove itself
 * again when the site changes.
 */
export function shouldRun(successRate: number, evaluations: number, runs: number, floor = 0.3, minEvaluations = 3, exploreEvery = 3): boolean {
  if (evaluations < minEvaluations || successRate >= floor) return true;
  return runs % exploreEvery === 0;
}
