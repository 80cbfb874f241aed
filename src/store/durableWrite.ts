/**
 * Replacing a file so that a crash or a power cut at any moment leaves either the old or the new
 * content, and so that "written" means "on the disk". The text goes to a temporary file next to the
 * target, which is flushed to the device (fsync) before it is renamed over the target; then the
 * folder is fsynced so the rename itself survives a power cut. lowdb's own writer (steno) renames
 * without either fsync, which is atomic against a crash of the process but not against the kernel
 * losing its page cache. Only after all of that resolves may a command answer success.
 */
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../core/errors.js';

/** Writing `file` failed; the message names the file and the cause (ENOTDIR, ENOSPC, EACCES …). */
export class StateWriteError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`could not write ${file}: ${describeError(cause)}`, { cause });
    this.name = 'StateWriteError';
  }
}

/** The file operations a durable write needs (tests and benchmarks may wrap them). */
export interface DurableFs {
  open: typeof open;
  rename: typeof rename;
  unlink: typeof unlink;
}

const NODE_FS: DurableFs = { open, rename, unlink };

/**
 * Writes `chunks` (joined, they are the new content) to `file` durably and returns the bytes written.
 * On failure the temporary file is removed and a StateWriteError is thrown; the old file is untouched.
 */
export async function writeDurably(file: string, chunks: readonly string[], fs: DurableFs = NODE_FS): Promise<number> {
  const temp = `${file}.tmp`;
  let bytes = 0;
  try {
    const fh = await fs.open(temp, 'w');
    try {
      for (const chunk of chunks) {
        const buf = Buffer.from(chunk, 'utf8');
        // a regular file takes all of it at once; the loop only guards against a short write
        for (let at = 0; at < buf.length;) at += (await fh.write(buf, at, buf.length - at)).bytesWritten;
        bytes += buf.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined);
    throw new StateWriteError(file, err);
  }
  await syncFolder(path.dirname(file), fs).catch((err: unknown) => {
    throw new StateWriteError(file, new Error(`renamed, but the folder could not be synced: ${describeError(err)}`, { cause: err }));
  });
  return bytes;
}

/** Makes a rename in `dir` durable (on Linux a folder opens read-only and fsyncs like a file). */
async function syncFolder(dir: string, fs: DurableFs): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
