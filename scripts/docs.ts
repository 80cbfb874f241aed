/**
 * `npm run docs`: regenerates what comes from the option schema — config.yaml's options and schema,
 * translations/en.yaml and the options table in DOCS.md — and says which files changed.
 * With `--check` it writes nothing and exits 1 when a file is stale.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles, writeGeneratedFiles } from './generate/generatedFiles.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  if (process.argv.includes('--check')) {
    const stale = (await generatedFiles(root)).filter((f) => f.current !== f.wanted).map((f) => f.file);
    process.stdout.write(stale.length === 0 ? 'Generated files are current\n' : `Stale (run npm run docs): ${stale.join(', ')}\n`);
    process.exitCode = stale.length === 0 ? 0 : 1;
    return;
  }
  const written = await writeGeneratedFiles(root);
  process.stdout.write(written.length === 0 ? 'Generated files are current\n' : `Updated ${written.join(', ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
