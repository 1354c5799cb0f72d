/**
 * No Docker engine runs here, so the Dockerfile is checked against the code instead: each stage must copy every
 * top-level folder that its entry point imports (following static imports from the entry file), and the runtime stage
 * also the folders the server reads files from at run time (the viewer's static files). A folder added to the import
 * graph and forgotten in the Dockerfile fails this test instead of the image.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;

/** Top-level folders of every file reachable from `entry` through relative static imports. */
function foldersImportedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    folders.add(path.relative(ROOT, file).split(path.sep)[0]);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1] ?? m[2]);
      if (/\.(ts|mjs|js)$/.test(target)) visit(target);
    }
  };
  visit(path.join(ROOT, entry));
  return folders;
}

/** The Dockerfile's stages: name (or index) → the sources its COPY lines take from the build context. */
function stages(): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  let current = new Set<string>();
  for (const line of readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.set(from[1] ?? `stage${result.size}`, (current = new Set()));
    const copy = /^COPY\s+(?!--from)(?:--\S+\s+)*(.+)\s+\S+$/i.exec(line);
    if (copy) for (const source of copy[1].split(/\s+/)) current.add(source.replace(/\/$/, ''));
  }
  return result;
}

describe('Dockerfile', () => {
  const byStage = stages();
  const runtime = [...byStage.values()].at(-1)!;

  it('copies into the dataset stage every folder `npm run build` imports', () => {
    const dataset = byStage.get('dataset')!;
    for (const folder of foldersImportedBy('scripts/build.ts')) expect(dataset, folder).toContain(folder);
  });

  it('copies into the runtime stage every folder `npm start` imports, and the viewer it serves', () => {
    for (const folder of [...foldersImportedBy('server/main.ts'), 'viewer']) expect(runtime, folder).toContain(folder);
  });
});
