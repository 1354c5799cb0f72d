/**
 * Build a manifest into a stored, current build: the one entry point for the CLI, the server's first start and
 * (later) hot reload.
 */
import path from 'node:path';
import { buildDataset, type BuildOptions, type Progress } from './pipeline.ts';
import { writeBuild } from './store.ts';

/** The bundled national dataset's manifest, and where builds go unless told otherwise. */
export const DEFAULT_MANIFEST = path.resolve(import.meta.dirname, '../sources/manifest.json');
export const DEFAULT_BUILD_ROOT = path.resolve(import.meta.dirname, '../../build');

export interface BuildSummary {
  id: string;
  dir: string;
  areas: number;
  warnings: number;
  seconds: number;
}

export async function buildAndStore(manifest: string, root: string, progress?: Progress, options: Pick<BuildOptions, 'defaultMinCount'> = {}): Promise<BuildSummary> {
  const started = performance.now();
  const { dataset, report } = await buildDataset(manifest, { ...options, workDir: path.join(root, '.work'), progress });
  progress?.('writing the build');
  const { id, dir } = await writeBuild(root, dataset);
  return { id, dir, areas: dataset.areas.length, warnings: report.warnings.length, seconds: (performance.now() - started) / 1000 };
}
