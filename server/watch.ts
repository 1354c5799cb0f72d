/**
 * Watches files and calls back once things have settled. Watches each file's folder, not the file: a watch on the
 * file follows its inode, which editors' rename-on-save (write a temp file, rename it over) replace; the folder's
 * watch sees the rename under the file's name. Events are debounced: one save is several events, a copy of many
 * files many more.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface FileWatcher {
  /** Watches exactly these files from now on (replacing the previous list). */
  watch(files: string[]): void;
  close(): void;
}

/** Calls `onChange` with the first changed file, `debounceMs` after the last event of a burst. */
export function watchFiles(onChange: (file: string) => void, debounceMs: number): FileWatcher {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;

  const changed = (file: string): void => {
    first ??= file;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const file = first!;
      first = undefined;
      onChange(file);
    }, debounceMs);
  };

  const close = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
  };

  return {
    watch(files) {
      close();
      const byFolder = new Map<string, string[]>();
      for (const f of files) byFolder.set(path.dirname(f), [...(byFolder.get(path.dirname(f)) ?? []), f]);
      for (const [folder, inFolder] of byFolder) {
        const names = new Set(inFolder.map((f) => path.basename(f)));
        try {
          // persistent: false — watching alone must not keep a process alive.
          const w = watch(folder, { persistent: false }, (_event, name) => {
            // Some platforms give no name: then any change in the folder counts.
            if (name === null) changed(inFolder[0]);
            else if (names.has(name)) changed(path.join(folder, name));
          });
          w.on('error', () => w.close()); // the folder was removed: nothing left to watch there
          watchers.push(w);
        } catch {
          // A folder that does not exist (yet): the next build reports the missing file.
        }
      }
    },
    close() {
      clearTimeout(timer);
      close();
    },
  };
}
