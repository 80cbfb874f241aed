/**
 * Where the store's JSON lives, behind the two operations it needs: read the whole file, and replace
 * it with new text given in pieces. The real one reads with one JSON.parse and writes durably
 * (durableWrite.ts); the in-memory one serves tests and simulations that keep no files.
 */
import { readFile } from 'node:fs/promises';
import { writeDurably, type DurableFs } from './durableWrite.js';

export interface StateFile {
  /** The parsed content, or null when there is no file yet. Throws when it is not JSON or unreadable. */
  read(): Promise<unknown>;
  /** Replaces the content with `chunks` joined; resolves with the bytes written once they are durable. */
  write(chunks: readonly string[]): Promise<number>;
}

/** The state file on disk (fsynced temp file, rename, folder fsync). */
export function diskStateFile(file: string, fs?: DurableFs): StateFile {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      return JSON.parse(text) as unknown;
    },
    write: (chunks) => writeDurably(file, chunks, fs),
  };
}

/** Keeps the text in memory (nothing persists past the process). */
export function memoryStateFile(): StateFile {
  let text: string | undefined;
  return {
    read: () => Promise.resolve(text === undefined ? null : (JSON.parse(text) as unknown)),
    write(chunks) {
      text = chunks.join('');
      return Promise.resolve(Buffer.byteLength(text));
    },
  };
}
