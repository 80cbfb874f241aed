/**
 * How the loop learns which strategies work. Each evaluation score s ∈ [−1, 1] becomes an outcome
 * (s + 1)/2 ∈ [0, 1], folded into the strategy's success rate by an experience-weighted moving
 * average: the step is 1/(n + 1) while a strategy has little experience (so the first evaluations
 * count fully) and never below the configured learning rate (so old experience fades).
 */
export function updatedSuccessRate(current: number, evaluations: number, score: number, learningRate: number): number {
  const outcome = (Math.max(-1, Math.min(1, score)) + 1) / 2;
  const step = Math.max(learningRate, 1 / (evaluations + 1));
  return current + step * (outcome - current);
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
