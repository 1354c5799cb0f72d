/**
 * Hot reload: rebuild the dataset in a worker thread while the current version keeps serving, precompute the new
 * version's hot tiles, then swap. One rebuild at a time; asking during a rebuild queues exactly one more (which
 * reads the sources as they are when it starts, so no change is missed and a burst of asks costs two builds).
 * A failed rebuild changes nothing served: the problems are logged and kept for /ready.
 *
 * The new version's tiles are precomputed BEFORE the swap: after a swap every wall screen asks for the new version
 * at once (versioned URLs change), and cold low-zoom tiles each cost an index build; precomputed, the first request
 * of every screen is a cache hit. The swap waits for the precompute (z0–10: ~8 s), the old version serves meanwhile.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { buildInWorker, type BuildSummary, type StoreOptions } from '../data/build/build.ts';
import { readBuild } from '../data/build/store.ts';
import { loadManifest, sourceFiles } from '../data/manifest.ts';
import { DataError, formatProblem } from '../data/report.ts';
import { prepareBandsInWorker } from '../tiles/prepared.ts';
import type { Progress } from '../data/build/pipeline.ts';
import type { DatasetStore } from './dataset-store.ts';
import { watchFiles } from './watch.ts';

export interface ReloadResult {
  /** swapped: a new version serves; unchanged: the sources build the version already served; failed: nothing changed. */
  state: 'swapped' | 'unchanged' | 'failed';
  /** What asked: "admin", "SIGHUP", "watch: <file>". */
  trigger: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** The build id served after the reload. */
  buildId?: string;
  generation?: number;
  /** For a failed reload: every error, as "file, feature or line, field: message". */
  problems?: string[];
}

export interface ReloadStatus {
  /** The rebuild under way, with its current step. */
  running: { trigger: string; startedAt: string; step: string } | null;
  /** True if another rebuild is queued behind the running one. */
  queued: boolean;
  last: ReloadResult | null;
}

export interface ReloaderOptions {
  manifest: string;
  buildRoot: string;
  /** Zooms whose public tiles are made before the swap, or 'off'. */
  precompute: [number, number] | 'off';
  log?: Pick<Logger, 'info' | 'error'>;
  /** What the build is given (the configured disclosure default). */
  buildOptions?: StoreOptions;
  /** How the build runs (default: in a worker thread). */
  build?: (manifest: string, root: string, progress: Progress, options: StoreOptions) => Promise<BuildSummary>;
}

export class Reloader {
  #running: Promise<ReloadResult> | null = null;
  #queued: Promise<ReloadResult> | null = null;
  #step: ReloadStatus['running'] = null;
  #last: ReloadResult | null = null;
  /** Called after every reload (the watcher re-reads which files the manifest names). */
  #afterReload: () => Promise<void> = async () => {};

  constructor(
    private readonly store: DatasetStore,
    private readonly options: ReloaderOptions,
  ) {}

  /** Rebuilds and swaps; resolves with the result of the reload that covers this request (never rejects). */
  reload(trigger: string): Promise<ReloadResult> {
    if (this.#queued) return this.#queued;
    if (!this.#running) return this.#start(trigger);
    this.#queued = this.#running.then(() => {
      this.#queued = null;
      return this.#start(trigger);
    });
    return this.#queued;
  }

  status(): ReloadStatus {
    return { running: this.#step && { ...this.#step }, queued: this.#queued !== null, last: this.#last };
  }

  /**
   * Reloads when the manifest or a source file it names changes, `debounceMs` after the last change. Resolves once
   * watching; the returned function stops.
   */
  async watchSources(debounceMs = 1000): Promise<() => void> {
    const watcher = watchFiles((file) => void this.reload(`watch: ${path.relative(process.cwd(), file)}`), debounceMs);
    this.#afterReload = async () => {
      // A manifest that does not parse still names itself: fixing it triggers the next reload.
      const files = await loadManifest(this.options.manifest).then(sourceFiles, () => []);
      watcher.watch([path.resolve(this.options.manifest), ...files]);
    };
    await this.#afterReload();
    return () => {
      this.#afterReload = async () => {};
      watcher.close();
    };
  }

  #start(trigger: string): Promise<ReloadResult> {
    const run = this.#run(trigger).finally(() => {
      this.#running = null;
      this.#step = null;
    });
    this.#running = run;
    return run;
  }

  async #run(trigger: string): Promise<ReloadResult> {
    const { store, options } = this;
    const log = options.log;
    const started = new Date();
    this.#step = { trigger, startedAt: started.toISOString(), step: 'building' };
    const finish = (result: Omit<ReloadResult, 'trigger' | 'startedAt' | 'finishedAt' | 'seconds'>): ReloadResult => {
      const finished = new Date();
      this.#last = { ...result, trigger, startedAt: started.toISOString(), finishedAt: finished.toISOString(), seconds: (finished.getTime() - started.getTime()) / 1000 };
      return this.#last;
    };
    log?.info({ trigger }, 'reload: rebuilding the dataset');
    let result: ReloadResult;
    try {
      const build = options.build ?? buildInWorker;
      const { id } = await build(options.manifest, options.buildRoot, (step) => (this.#step!.step = step), options.buildOptions ?? {});
      if (id === store.current.dataset.id) {
        result = finish({ state: 'unchanged', buildId: id, generation: store.current.generation });
        log?.info(result, 'reload: the sources build the version already served');
      } else {
        this.#step.step = 'reading the build and generalising its tile geometry';
        const [dataset, bands] = await Promise.all([readBuild(options.buildRoot, id), prepareBandsInWorker(options.buildRoot, id)]);
        const tiles = store.prepare(dataset, bands);
        if (options.precompute !== 'off') {
          this.#step.step = 'precomputing tiles';
          const p = await tiles.precompute(...options.precompute, (p) => (this.#step!.step = `precomputing tiles: ${p.done} of ${p.total}`));
          log?.info({ id, tiles: p.done, seconds: p.seconds }, 'reload: precomputed the new version');
        }
        store.swap(dataset, tiles);
        result = finish({ state: 'swapped', buildId: id, generation: store.current.generation });
        log?.info(result, 'reload: swapped in the new version');
      }
    } catch (err) {
      const problems = err instanceof DataError ? err.problems.filter((p) => p.severity === 'error').map(formatProblem) : [err instanceof Error ? err.message : String(err)];
      result = finish({ state: 'failed', buildId: store.current.dataset.id, generation: store.current.generation, problems });
      log?.error(result, 'reload failed: the previous version stays served');
    }
    await this.#afterReload();
    return result;
  }
}
