/**
 * Problems found while reading and validating sources. Every problem names the file, where in it
 * (feature index or line), the field, and what was expected — so a GIS operator can fix the file
 * without reading our code.
 */

export interface ProblemLocation {
  /** Path of the source file as given in the manifest (or the manifest itself). */
  file: string;
  /** Zero-based feature index, for feature sources. */
  feature?: number;
  /** One-based line number, for text tables. */
  line?: number;
  /** The field (property, column, manifest key) at fault. */
  field?: string;
}

export interface Problem extends ProblemLocation {
  severity: 'error' | 'warning';
  /** What was expected and what was found, in one sentence. */
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = [p.file];
  if (p.feature !== undefined) where.push(`feature ${p.feature}`);
  if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.field !== undefined) where.push(`field "${p.field}"`);
  return `${where.join(', ')}: ${p.message}`;
}

/** Thrown when a source cannot be used at all; carries every problem found so far. */
export class DataError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const shown = problems.slice(0, 20).map(formatProblem);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    super(shown.join('\n'));
    this.name = 'DataError';
    this.problems = problems;
  }
}

/** Shorthand for a single-problem failure. */
export function fail(at: ProblemLocation, message: string): never {
  throw new DataError([{ ...at, severity: 'error', message }]);
}

/**
 * Collects problems across a whole build so that one run reports all of them, not just the first.
 * Warnings are kept in the build manifest; any error stops the build before anything is written.
 */
export class Report {
  readonly problems: Problem[] = [];

  error(at: ProblemLocation, message: string): void {
    this.problems.push({ ...at, severity: 'error', message });
  }

  warn(at: ProblemLocation, message: string): void {
    this.problems.push({ ...at, severity: 'warning', message });
  }

  get errors(): Problem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  get warnings(): Problem[] {
    return this.problems.filter((p) => p.severity === 'warning');
  }

  /** Runs `step`, turning a thrown DataError into recorded problems. Returns undefined on failure. */
  async collect<T>(step: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof DataError) {
        this.problems.push(...err.problems);
        return undefined;
      }
      throw err;
    }
  }

  /** Throws a DataError with every error so far, if there is any. */
  throwIfErrors(): void {
    if (this.errors.length > 0) throw new DataError(this.errors);
  }
}
