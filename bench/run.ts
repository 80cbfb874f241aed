/**
 * `npm run bench`: runs every benchmark — planner, transport throughput (when pymodbus is installed),
 * MQTT discovery at scale (when mosquitto is installed), the freshness comparison of every policy on
 * both simulated sites over several seeds (`--seeds N`, default 5; `--quick`: one seed, short windows,
 * few points), and the scale run — writes bench/results/<name>.md and the staleness-versus-bus-time
 * plots, and prints the summary with the wall time. With `--readme` it also replaces the generated
 * section of README.md (between the bench markers). `--only <section>` runs one section.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { planFromArgs, type BenchPlan } from './benchPlan.js';
import { cpuSummary, runSweeps, type SiteSweep } from './freshness.js';
import { boundsTable, comparisonTable, header, sweepPlot, sweepTable } from './freshnessTables.js';
import { run as runMqttScale } from './mqttScale.js';
import { run as runPlanner } from './planner.js';
import { run as runProxyShare } from './proxyShare.js';
import { runInWorkers } from './pool.js';
import { scaleJobs, scaleTable, type ScaleJob, type ScaleOutcome } from './scale.js';
import { run as runThroughput } from './throughput.js';
import { run as runWeb } from './web.js';
import { run as runStorage, storageTable } from './storage.js';
import { ablationTable } from './ablationTable.js';
import { loopHealthTable, targetsTable } from './targetsTables.js';

/** The scale run's seed (one realisation: it measures cost, not freshness). */
const SEED = 1;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsDir = path.join(root, 'bench', 'results');
const workerUrl = new URL('./sweepWorker.js', import.meta.url);
const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

function mosquittoAvailable(): boolean {
  return spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined;
}

function pymodbusAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import pymodbus'], { stdio: 'ignore' }).status === 0;
}

async function write(name: string, text: string): Promise<void> {
  await writeFile(path.join(resultsDir, name), text.endsWith('\n') ? text : `${text}\n`);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`[bench] ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** The freshness section: runs the sweeps, writes one results file and plot per site, returns the summary text. */
async function freshness(plan: BenchPlan): Promise<{ sweeps: SiteSweep[]; text: string }> {
  const label = plan.quick ? 'quick' : `full, ${plan.seeds.length} seeds`;
  const sweeps = await timed(`freshness sweep (${label})`, () => runSweeps(workerUrl, plan));
  const parts: string[] = [];
  for (const sweep of sweeps) {
    const summary = `${header(sweep)}\n\n${comparisonTable(sweep)}\n\n${targetsTable(sweep)}\n\n${loopHealthTable(sweep)}\n\n${ablationTable(sweep)}\n\n${boundsTable(sweep)}`;
    const title = `Freshness versus bus time: ${sweep.site}${plan.quick ? ' (quick mode)' : ''}`;
    await write(`freshness-${sweep.site}.md`, `# ${title}\n\n${summary}\n\n![${sweep.site}](freshness-${sweep.site}.svg)\n\nEvery run:\n\n${sweepTable(sweep)}`);
    await write(`freshness-${sweep.site}.svg`, sweepPlot(sweep));
    parts.push(`### ${title}\n\n${summary}\n\n![${sweep.site}](bench/results/freshness-${sweep.site}.svg)\n`);
  }
  return { sweeps, text: parts.join('\n') };
}

/** `--only scale` (or mqtt, proxy, planner, dashboard, storage, freshness): that section alone, its results file rewritten, no summary or README. */
async function only(section: string): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  if (section === 'freshness') {
    const { sweeps, text } = await freshness(planFromArgs(process.argv));
    console.log(`${text}\n\n${cpuSummary(sweeps)}`);
  } else if (section === 'scale') {
    const scale = await timed('scale', () => runInWorkers<ScaleJob, ScaleOutcome>(workerUrl, scaleJobs(SEED), { concurrency: 1, fresh: true }));
    await write('scale.md', `# Scale\n\n${scaleTable(scale)}`);
    console.log(scaleTable(scale));
  } else if (section === 'mqtt') {
    const text = await timed('mqtt scale', runMqttScale);
    await write('mqtt.md', `# MQTT discovery at scale\n\n\`\`\`\n${text}\n\`\`\``);
    console.log(text);
  } else if (section === 'proxy') {
    const text = await timed('proxy sharing', runProxyShare);
    await write('proxy.md', `# Sharing the device with other masters\n\n${text}`);
    console.log(text);
  } else if (section === 'planner') {
    console.log(await timed('planner', runPlanner));
  } else if (section === 'dashboard') {
    console.log(await timed('dashboard', runWeb));
  } else if (section === 'storage') {
    const table = storageTable(await timed('storage', runStorage));
    await write('storage.md', `# Storage\n\n${table}`);
    console.log(table);
  } else {
    throw new Error(`--only ${section}: not a section (freshness, scale, mqtt, proxy, planner, dashboard, storage)`);
  }
}

async function main(): Promise<void> {
  const onlyAt = process.argv.indexOf('--only');
  if (onlyAt >= 0) return only(process.argv[onlyAt + 1] ?? '');
  const t0 = performance.now();
  await mkdir(resultsDir, { recursive: true });
  const planner = await timed('planner', runPlanner);
  await write('planner.md', `# Planner\n\n\`\`\`\n${planner}\n\`\`\``);
  const throughput = pymodbusAvailable() ? await timed('throughput', runThroughput) : 'skipped: /usr/bin/python3 has no pymodbus';
  await write('throughput.md', `# Transport throughput\n\n\`\`\`\n${throughput}\n\`\`\``);
  const mqttScale = mosquittoAvailable() ? await timed('mqtt scale', runMqttScale) : 'skipped: no mosquitto (apt-get install mosquitto)';
  await write('mqtt.md', `# MQTT discovery at scale\n\n\`\`\`\n${mqttScale}\n\`\`\``);
  const web = await timed('dashboard', runWeb);
  await write('web.md', `# Dashboard budget\n\n\`\`\`\n${web}\n\`\`\``);

  const plan = planFromArgs(process.argv);
  const { sweeps, text: freshnessText } = await freshness(plan);
  const scale = await timed('scale', () => runInWorkers<ScaleJob, ScaleOutcome>(workerUrl, scaleJobs(SEED), { concurrency: 1, fresh: true }));
  await write('scale.md', `# Scale\n\n${scaleTable(scale)}`);
  const storage = storageTable(await timed('storage', runStorage));
  await write('storage.md', `# Storage\n\n${storage}`);

  const summary = [
    `Freshness versus bus time (${plan.quick ? '**quick mode** (`npm run bench -- --quick`): one seed, short windows — development figures, not the full bench' : `seeds ${plan.seeds.join(', ')}`}; every run in bench/results/):`, '',
    freshnessText,
    'Scale (one gateway, 15 s scan interval, cost-model planner):', '', scaleTable(scale), '',
    'State file (bytes written per simulated day, event-loop delay during a write):', '', storage, '',
    'Planner and transport:', '', '```', planner, throughput, '```', '',
    'MQTT discovery (retained configs and states of every entity, as an HA-side client receives them):', '', '```', mqttScale, '```', '',
    'Dashboard (page weight, API at 10,000 entities, page with 10,000 rows):', '', '```', web, '```',
  ].join('\n');
  await write('summary.md', summary);
  console.log(`\n${summary}\n\n${cpuSummary(sweeps)}`);
  const wall = `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  if (process.argv.includes('--readme')) await updateReadme(`${summary}\n\nWall time of this run (\`${command}\`, 2 shared cores): ${wall}.`);
  console.log(`[bench] total ${wall}`);
}

async function updateReadme(summary: string): Promise<void> {
  const file = path.join(root, 'README.md');
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  await writeFile(file, `${text.slice(0, start + README_START.length)}\n${summary}\n${text.slice(end)}`);
  console.log('[bench] README.md benchmark section updated');
}

await main();
