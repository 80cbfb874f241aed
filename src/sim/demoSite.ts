/**
 * The demo site `npm start` runs with no options: the solar-home site (hybrid inverter, SDM630-like
 * meter and heat pump on one 9,600-baud RS-485 bus) behind a simulated RTU-over-TCP gateway on
 * loopback, in real time. The options are what a user would write for that gateway; the heat pump's
 * own connection entry carries its lower register cap.
 */
import { siteOptions, solarHome, type SiteSpec } from './sites.js';

export const DEMO_SCAN_INTERVAL_S = 5;

export function demoSite(): SiteSpec {
  return solarHome();
}

/** The options a user would write for the demo site, pointing at the loopback gateway. */
/**
 * The demo compresses the optimizer's schedule (defaults: quick 4 h, full 12 h, evaluation 1 h) into
 * minutes, so someone watching the demo sees it tune, evaluate and learn.
 */
export const DEMO_OPTIMIZER = {
  quick_every: '2m', full_every: '10m', evaluate_every: '2m', settle: '1m', evaluation_window: '2m',
};

export function demoOptions(port: number): Record<string, unknown> {
  return { ...siteOptions(demoSite(), '127.0.0.1', port, DEMO_SCAN_INTERVAL_S), optimizer: DEMO_OPTIMIZER };
}
