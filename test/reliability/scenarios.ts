/**
 * The list `npm run reliability` runs, in order. Each scenario module exports one ReliabilityScenario;
 * add it here.
 */
import { soak } from './soak.js';
import type { ReliabilityScenario } from './types.js';

export const scenarios: ReliabilityScenario[] = [soak];
