/**
 * A small disk that can be filled: a tmpfs of a few MiB mounted for the disk-full scenario (CI runs as
 * root), a filler file written until the kernel answers ENOSPC, and removal of the filler. A mount that
 * fails is an error naming why, never a silent skip: a scenario that cannot make the fault has not
 * shown that the app survives it.
 */
import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve();
    });
  });
}

export interface SmallDisk {
  readonly dir: string;
  /** Writes a filler file until the disk is full; resolves with its size in bytes. */
  fill(): Promise<number>;
  /** Removes the filler: the space is back. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

/** Fills with big pieces, then small ones, so that not even a page is left. */
async function writeUntilFull(file: string): Promise<number> {
  const fh = await open(file, 'w');
  let bytes = 0;
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const piece = Buffer.alloc(size, 0x55);
      for (;;) {
        try {
          const { bytesWritten } = await fh.write(piece);
          bytes += bytesWritten;
          if (bytesWritten < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return bytes;
}

/** Mounts a tmpfs of `size` (e.g. "4m") on the existing folder `dir`. */
export async function mountSmallDisk(dir: string, size: string): Promise<SmallDisk> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  } catch (err) {
    throw new Error(`the disk-full scenario needs a small tmpfs and could not mount one on ${dir} (run it as root, as CI does): ${(err as Error).message}`, { cause: err });
  }
  const filler = path.join(dir, 'filler.bin');
  return {
    dir,
    fill: () => writeUntilFull(filler),
    free: () => rm(filler, { force: true }),
    async unmount() {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    },
  };
}
