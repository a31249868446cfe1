// Sandbox state in a file: loaded once, written atomically (temp file + rename), with writes
// debounced and coalesced so only the newest state reaches the disk.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface StateFile {
  load(): Promise<string | null>;
  /** Resolves once this (or a newer) state is on disk. */
  save(data: string): Promise<void>;
}

export function stateFile(path: string, opts: { debounceMs?: number } = {}): StateFile {
  const debounceMs = opts.debounceMs ?? 100;
  let pending: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let writing: Promise<void> = Promise.resolve();

  const write = async (data: string) => {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, data, { mode: 0o600 });
    await rename(tmp, path);
  };

  const flush = () => {
    timer = undefined;
    const data = pending as string;
    const batch = waiters;
    pending = undefined;
    waiters = [];
    writing = writing
      .then(() => write(data))
      .then(
        () => {
          for (const w of batch) w.resolve();
        },
        (e) => {
          for (const w of batch) w.reject(e);
        },
      );
  };

  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    save(data) {
      pending = data;
      if (!timer) timer = setTimeout(flush, debounceMs);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}
