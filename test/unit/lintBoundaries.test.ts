/**
 * The house rules are mechanical: deliberately bad snippets, linted as if they were files of src/,
 * against the very rules eslint.config.js uses (eslint.boundaries.js). Each "never" of
 * docs/ARCHITECTURE.md fails; the allowed direction passes, so a rule that forbids everything would
 * fail here too.
 */
import { describe, expect, it } from '@jest/globals';
import { ESLint, type Linter } from 'eslint';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '..', '..');
const rulesFile = pathToFileURL(path.join(root, 'eslint.boundaries.js')).href;

async function lint(file: string, code: string): Promise<string[]> {
  const { boundaries } = (await import(rulesFile)) as { boundaries: Linter.Config[] };
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } }, ...boundaries],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('folder boundaries', () => {
  it.each([
    ['src/modbus/bad.ts', "import { x } from '../stats/entityStats.js';", /modbus\/ may import only core/],
    ['src/modbus/server/bad.ts', "import { x } from '../../optimizer/loop.js';", /modbus\/ may import only core/],
    ['src/stats/bad.ts', "import { Poller } from '../modbus/poller.js';", /stats\/ knows only the value and sample types of modbus/],
    ['src/stats/bad.ts', "import type { X } from '../optimizer/types.js';", /stats\/ may import only/],
    ['src/optimizer/bad.ts', "import { HomeAssistant } from '../ha/homeAssistant.js';", /optimizer\/ may import only/],
    ['src/optimizer/bad.ts', "import { CommandRegistry } from '../commands/registry.js';", /optimizer\/ may import only/],
    ['src/optimizer/bad.ts', "import { x } from '../telemetry/figures.js';", /optimizer\/ may import only/],
    ['src/optimizer/bad.ts', "import { x } from '../mqtt/discovery.js';", /optimizer\/ may import only/],
    ['src/web/bad.ts', "import { x } from '../ha/publisher.js';", /web\/ may import only/],
    ['src/ha/bad.ts', "import { createApp } from '../app.js';", /never imports the composition root/],
    ['src/app.ts', "import { startDemo } from './sim/demo.js';", /Production code never imports sim/],
    ['src/commands/bad.ts', "import { SimDevice } from '../sim/simDevice.js';", /commands\/ may import only/],
    ['src/core/bad.ts', "import type { Poller } from '../modbus/poller.js';", /core\/ may import only itself/],
  ])('%s: %s is refused', async (file, code, message) => {
    const problems = await lint(file, code);
    expect(problems).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['src/stats/ok.ts', "import type { Sample } from '../modbus/pollerTypes.js';"],
    ['src/optimizer/ok.ts', "import { x } from '../stats/entityStats.js';\nimport { y } from '../modbus/readPlan.js';"],
    ['src/web/ok.ts', "import { x } from '../commands/registry.js';\nimport { y } from '../telemetry/registry.js';"],
    ['src/main.ts', "import { startDemo } from './sim/demo.js';\nprocess.exit(0);"],
    ['src/sim/ok.ts', "import { createApp } from '../app.js';"],
  ])('%s: the allowed direction passes', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});

describe('process, timers and the wall clock', () => {
  it.each([
    ['src/modbus/bad.ts', 'export const t = setTimeout(() => undefined, 10);', /Time is injected/],
    ['src/optimizer/bad.ts', 'export const t = globalThis.setInterval(() => undefined, 10);', /Time is injected/],
    ['src/sim/bad.ts', 'export const now = Date.now();', /Time is injected/],
    ['src/web/bad.ts', 'export const a = process.env.WEB_PORT;', /Only src\/main.ts touches process/],
    ['src/main.ts', 'setImmediate(() => undefined);', /Time is injected/],
  ])('%s: %s is refused', async (file, code, message) => {
    const problems = await lint(file, code);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('lets the one real clock use the timers', async () => {
    expect(await lint('src/core/clock.ts', 'export const t = setTimeout(() => undefined, 10);')).toEqual([]);
  });
});
