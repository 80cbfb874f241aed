/**
 * The files generated from the option schema: config.yaml's options and schema, translations/en.yaml,
 * and the options and device template tables in DOCS.md. One function computes what each should hold, so `npm run docs`
 * (which writes them) and the test (which fails when one is stale) cannot disagree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DOCS_OPTIONS_END, DOCS_OPTIONS_START, DOCS_TEMPLATES_END, DOCS_TEMPLATES_START, renderOptionsTable, renderTemplatesTable,
} from './docsTable.js';
import { renderConfigYaml, renderTranslations, replaceBetween } from './manifest.js';

export interface GeneratedFile {
  /** Relative to the repository root. */
  file: string;
  current: string;
  wanted: string;
}

/** Each generated file as it is and as it should be. */
export async function generatedFiles(root: string): Promise<GeneratedFile[]> {
  const read = (file: string) => readFile(path.join(root, file), 'utf8');
  const config = await read('config.yaml');
  const wantedConfig = renderConfigYaml(config);
  const docs = await read('DOCS.md');
  return [
    { file: 'config.yaml', current: config, wanted: wantedConfig },
    { file: 'translations/en.yaml', current: await read('translations/en.yaml'), wanted: renderTranslations(wantedConfig) },
    {
      file: 'DOCS.md', current: docs,
      wanted: replaceBetween(replaceBetween(docs, DOCS_OPTIONS_START, DOCS_OPTIONS_END, renderOptionsTable()),
        DOCS_TEMPLATES_START, DOCS_TEMPLATES_END, renderTemplatesTable()),
    },
  ];
}

/** Writes the stale ones; returns their names. */
export async function writeGeneratedFiles(root: string): Promise<string[]> {
  const stale = (await generatedFiles(root)).filter((f) => f.current !== f.wanted);
  for (const f of stale) await writeFile(path.join(root, f.file), f.wanted);
  return stale.map((f) => f.file);
}
