/**
 * The Home Assistant faults of issue 16 item 5 as reliability scenarios, one row each: HA restarted
 * ten times (haRestarts.ts), REST state writes answered with 500 for a while (haRestErrors.ts), and
 * the websocket silenced without a close frame, found only by the app's ping (haSilentSocket.ts).
 * All three run the built app as a child process against the test Home Assistant (haAppRig.ts).
 */
import { haRestarts } from './haRestarts.js';
import { haRestErrors } from './haRestErrors.js';
import { haSilentSocket } from './haSilentSocket.js';
import type { ReliabilityScenario } from './types.js';

export { haRestarts, haRestErrors, haSilentSocket };

export const haFaultScenarios: ReliabilityScenario[] = [haRestarts, haRestErrors, haSilentSocket];
