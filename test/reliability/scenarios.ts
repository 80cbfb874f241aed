/**
 * The list `npm run reliability` runs, in order. Each scenario module exports one ReliabilityScenario;
 * add it here.
 */
import { diskFull } from './diskFull.js';
import { haFaultScenarios } from './haFaults.js';
import { killWrites } from './killWrites.js';
import { rtuCorruption } from './rtuCorruption.js';
import { soak } from './soak.js';
import { tcpOutages, tcpReplies } from './tcpFaults.js';
import type { ReliabilityScenario } from './types.js';

export const scenarios: ReliabilityScenario[] = [tcpOutages, tcpReplies, rtuCorruption, ...haFaultScenarios, diskFull, killWrites, soak];
