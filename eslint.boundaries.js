// The house rules of docs/ARCHITECTURE.md as lint rules: which folder of src/ may import which, who may
// touch `process`, and who may arm real timers or read the wall clock. Kept apart from eslint.config.js
// so test/unit/lintBoundaries.test.ts can lint deliberately bad snippets against exactly these rules.

const BELOW_OPTIMIZER = ['core', 'metrics', 'modbus', 'stats', 'config'];
const BELOW_FACES = [...BELOW_OPTIMIZER, 'optimizer', 'telemetry', 'commands'];

/** Each folder of src/ and the folders it may import (besides itself); imports run only downward. */
export const ALLOWED = {
  core: [],
  metrics: ['core'],
  modbus: ['core'],
  stats: ['core', 'metrics', 'modbus'], // of modbus only the types: see the rule below
  config: ['core', 'modbus'],
  store: ['core'],
  optimizer: BELOW_OPTIMIZER,
  telemetry: [...BELOW_OPTIMIZER, 'optimizer'],
  commands: [...BELOW_OPTIMIZER, 'optimizer', 'telemetry'],
  ha: BELOW_FACES,
  mqtt: BELOW_FACES,
  web: BELOW_FACES,
  sim: [...BELOW_FACES, 'store', 'ha', 'mqtt', 'web'], // the simulator builds whole apps (../app.js)
};
const FOLDERS = Object.keys(ALLOWED);

const TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'];
const TIME_MESSAGE = 'Time is injected: take the Clock (src/core/clock.ts) from the composition root.';
const PROCESS = { name: 'process', message: 'Only src/main.ts touches process: take what you need as a dependency.' };

function importRule(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

function folderRule(folder) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !ALLOWED[folder].includes(f));
  const message = `${folder}/ may import only ${ALLOWED[folder].join(', ') || 'itself'} (docs/ARCHITECTURE.md).`;
  const patterns = [{ regex: `^(\\.\\./)+(${forbidden.join('|')})/`, message }];
  if (folder !== 'sim') patterns.push({ regex: '^(\\.\\./)+(app|main)\\.js$', message: `${folder}/ never imports the composition root or the process entry.` });
  else patterns.push({ regex: '^(\\.\\./)+main\\.js$', message: 'sim/ never imports the process entry.' });
  if (folder === 'stats') {
    patterns.push({ regex: '^\\.\\./modbus/(?!(types|pollerTypes)\\.js$)', message: 'stats/ knows only the value and sample types of modbus (types.js, pollerTypes.js).' });
  }
  return importRule([`src/${folder}/**/*.ts`], patterns);
}

export const boundaries = [
  ...FOLDERS.map(folderRule),
  importRule(['src/app.ts'], [{ regex: '^\\./(sim/|main\\.js$)', message: 'Production code never imports sim/; only main.ts starts the demo.' }]),
  importRule(['src/main.ts'], [{ regex: '^\\./sim/(?!demo\\.js$)', message: 'main.ts reaches the simulator only through sim/demo.js (the demo site).' }]),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/core/clock.ts'],
    rules: {
      'no-restricted-globals': ['error', PROCESS, ...TIMERS.map((name) => ({ name, message: TIME_MESSAGE }))],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: TIME_MESSAGE },
        ...TIMERS.map((property) => ({ object: 'globalThis', property, message: TIME_MESSAGE }))],
    },
  },
  { files: ['src/core/clock.ts'], rules: { 'no-restricted-globals': ['error', PROCESS] } },
  { files: ['src/main.ts'], rules: { 'no-restricted-globals': ['error', ...TIMERS.map((name) => ({ name, message: TIME_MESSAGE }))] } },
];
