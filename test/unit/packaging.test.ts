// The app as the supervisor sees it: repository layout, config.yaml (hand-written keys, options and
// schema equal to the app's own schema and within the supervisor's rules), translations covering every
// option and port, and the generated files (config.yaml, translations, DOCS.md table) being current.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createApp } from '../../src/app.js';
import { generatedFiles } from '../../scripts/generate/generatedFiles.js';
import { renderTranslations, supervisorBlocks } from '../../scripts/generate/manifest.js';
import { optionsSchema } from '../../src/config/options.js';
import { describeFields, validate } from '../../src/config/schemaDsl.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { checkSupervisorSchema, SCHEMA_ELEMENT, TIMEOUT_RANGE } from '../../scripts/generate/supervisorRules.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';

const root = findRepoRoot();
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const config = parse(read('config.yaml')) as Record<string, unknown>;
const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function filesNamed(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (['node_modules', 'dist', '.git'].includes(d.name)) return [];
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return filesNamed(full, pattern);
    return pattern.test(d.name) ? [path.relative(root, full)] : [];
  });
}

describe('repository layout', () => {
  it('has repository.yaml and config.yaml at the root and no other file the supervisor would take for an app', () => {
    expect(parse(read('repository.yaml'))).toMatchObject({ name: expect.any(String), url: expect.stringMatching(/^https:\/\//) });
    expect(filesNamed(root, /^config\.(ya?ml|json)$/)).toEqual(['config.yaml']);
  });
});

describe('config.yaml', () => {
  it('has the keys the app needs, its version equal to package.json', () => {
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(config).toMatchObject({
      name: 'Modbus Optimizer', version: pkg.version, slug: 'modbus_optimizer', arch: ['aarch64', 'amd64'],
      startup: 'application', boot: 'auto', init: true, homeassistant_api: true, stdin: true, uart: true,
      map: ['app_config'], backup: 'hot', ingress: true, ingress_port: 8099,
    });
    expect(config.description).toEqual(expect.any(String));
    expect(config.url).toMatch(/^https:\/\//);
    expect(config.panel_icon).toMatch(/^mdi:[a-z-]+$/);
    // a clean stop (store flush, Modbus and websocket closed) takes seconds; the supervisor allows 10…300
    expect(config.timeout).toBeGreaterThanOrEqual(20);
    expect(config.timeout).toBeLessThanOrEqual(TIMEOUT_RANGE[1]);
  });

  it('has options and schema for every app option, equal to the app schema', () => {
    const { options, schema } = supervisorBlocks();
    expect(config.options).toEqual(options);
    expect(config.schema).toEqual(schema);
    expect(Object.keys(config.schema as object)).toEqual(Object.keys(optionsSchema.shape));
  });

  it('keeps to the supervisor rules, and its defaults pass the app validation', () => {
    expect(checkSupervisorSchema(config.schema, config.options)).toEqual([]);
    expect(validate(optionsSchema, config.options).problems).toEqual([]);
  });
});

describe('supervisor rules (each can fail)', () => {
  it('type grammar: ranges (negative too), choices, match, the optional marker', () => {
    const ok = ['str', 'str?', 'int(1,65535)?', 'int(-5,)', 'float(-1,1)?', 'float(0.001,1)', 'bool', 'port',
      'list(a|b)?', 'match(^x$)', 'device(subsystem=tty)', 'password', 'email?', 'url'];
    expect(ok.filter((t) => !SCHEMA_ELEMENT.test(t))).toEqual([]);
    const bad = ['string', 'int(1;2)', 'float(1e-3,1)', 'int?(1,2)', 'list', 'str??'];
    expect(bad.filter((t) => SCHEMA_ELEMENT.test(t))).toEqual([]);
  });

  it('names each broken rule', () => {
    const schema = {
      a: 'flt', b: [['str']], c: 'match(^[a-z]+)?', d: [{ x: 'str' }], e: { y: 'int?' }, f: ['str'], g: 'str',
      h: 'match(^(x$)?', i: ['str', 'int'],
    };
    expect(checkSupervisorSchema(schema, { i: [], z: 1 })).toEqual([
      'a: "flt" is not a type the supervisor knows',
      'b[]: a list may not directly contain a list',
      'c: match(^[a-z]+) must end with $',
      expect.stringMatching(/^h: match\(\^\(x\$\) is not a valid pattern/),
      'i: a list schema has exactly one element, not 2',
      'b: a list option needs a default in options (e.g. [])',
      'd: a list option needs a default in options (e.g. [])',
      'e: a dict option needs a default in options (e.g. {})',
      'f: a list option needs a default in options (e.g. [])',
      'z: option has no schema entry',
    ]);
    expect(checkSupervisorSchema({ e: { y: 'int?', n: { m: 'str?' } } }, { e: {} })).toEqual(
      ['e.n: a dict option needs a default in options (e.g. {})']);
  });
});

describe('translations/en.yaml', () => {
  const translations = parse(read('translations/en.yaml')) as { configuration: Record<string, unknown>; network?: Record<string, string> };

  /** Schema keys without a name and a description, walking `fields` for lists of dicts and dicts. */
  function missing(schema: Record<string, unknown>, entries: unknown, at: string): string[] {
    return Object.entries(schema).flatMap(([key, node]) => {
      const entry = isDict(entries) ? entries[key] : undefined;
      const where = `${at}${key}`;
      if (!isDict(entry) || typeof entry.name !== 'string' || typeof entry.description !== 'string' || entry.description === '') {
        return [where];
      }
      const inner = Array.isArray(node) ? node[0] : node;
      return isDict(inner) ? missing(inner, entry.fields, `${where}.`) : [];
    });
  }

  it('names and describes every option and nested field of config.yaml', () => {
    expect(missing(config.schema as Record<string, unknown>, translations.configuration, '')).toEqual([]);
    expect(missing({ x: 'str', y: [{ z: 'int' }] }, { x: { name: 'X', description: 'x' }, y: { name: 'Y', description: 'y' } }, ''))
      .toEqual(['y.z']);
  });

  it('describes exactly the network ports of config.yaml', () => {
    expect(Object.keys(translations.network ?? {}).sort()).toEqual(Object.keys((config.ports ?? {}) as object).sort());
    expect(parse(renderTranslations('ports:\n  8099/tcp: null\nports_description:\n  8099/tcp: Web UI\n')).network).toEqual({ '8099/tcp': 'Web UI' });
  });
});

describe('generated files', () => {
  it('config.yaml, translations and the DOCS.md options and template tables are current (npm run docs)', async () => {
    const stale = (await generatedFiles(root)).filter((f) => f.current !== f.wanted).map((f) => f.file);
    expect(stale).toEqual([]);
  });

  it('DOCS.md names every statistics sensor and every command, each command with an app_stdin example', () => {
    const app = createApp({
      clock: new VirtualClock(0), random: seededRandom(1), logger: createMemoryLogger(), connections: [], entities: [],
      optimizer: resolveOptions({}).optimizer,
    });
    const docs = read('DOCS.md');
    expect(app.statistics.sensors().map((s) => s.entityId).filter((id) => !docs.includes(`\`${id}\``))).toEqual([]);
    expect(app.commands.names().length).toBeGreaterThan(5);
    expect(app.commands.names().filter((n) => !docs.includes(`\`${n}\``) || !docs.includes(`input: {command: ${n}`))).toEqual([]);
    expect(docs).toMatch(/event: modbus_optimizer_command/);
    expect(docs).toMatch(/event_type: modbus_optimizer_result/);
    expect(docs).toMatch(/supervisor 2026\.07\.1/);
    expect(docs).toContain('`CONFIG_DIR`');
  });

  it('DOCS.md lists every option', () => {
    const docs = read('DOCS.md');
    expect(describeFields(optionsSchema).map((r) => r.path).filter((p) => !docs.includes(`\`${p}\``))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1] ?? '';

  it('builds FROM the Home Assistant base image at a pinned tag, in every stage', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from).toMatch(/^FROM ghcr\.io\/home-assistant\/base:\d+\.\d+(\.\d+)?( AS \w+)?$/);
  });

  it('runs Node 22 or 24 from apk, with production dependencies only and the serialport binding built for musl', () => {
    expect(final).toMatch(/apk add --no-cache nodejs/);
    expect(final).toMatch(/m !== 22 && m !== 24/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/npm rebuild @serialport\/bindings-cpp --build-from-source/);
    expect(final).not.toMatch(/npm ci|build-base|COPY src/);
    expect(final).toMatch(/COPY --from=build \/app\/node_modules/);
  });

  it('carries the io.hass labels, the version default equal to package.json', () => {
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(final).toMatch(/io\.hass\.type="app"/);
    expect(final).toMatch(/io\.hass\.version="\$\{BUILD_VERSION\}"/);
    expect(final).toMatch(/io\.hass\.arch="\$\{BUILD_ARCH\}"/);
    expect(final).toContain(`ARG BUILD_VERSION=${pkg.version}`);
  });

  it('starts with `npm start` minus the build, node as the direct child of init', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: { start: string } };
    const start = pkg.scripts.start.split('&&').map((s) => s.trim()).filter((s) => s !== 'npm run build');
    expect(start).toHaveLength(1);
    const cmd = lines.filter((l) => l.startsWith('CMD ')).pop() ?? '';
    expect(JSON.parse(cmd.slice(4))).toEqual(start[0]?.split(/\s+/));
    expect(lines).toContain('ENTRYPOINT []');
    expect(final).toMatch(/WORKDIR \/app/);
  });

  it('keeps the build context small (.dockerignore)', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', 'test']));
  });
});

describe('store images', () => {
  const size = (file: string) => {
    const png = readFileSync(path.join(root, file));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  };

  it('icon.png is a square of about 128 px; logo.png a wider banner', () => {
    const icon = size('icon.png');
    expect(icon.width).toBe(icon.height);
    expect(icon.width).toBeGreaterThanOrEqual(96);
    expect(icon.width).toBeLessThanOrEqual(256);
    const logo = size('logo.png');
    expect(logo.width).toBeGreaterThan(logo.height);
  });
});
