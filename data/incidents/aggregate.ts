/**
 * Counts incident points per area, category and year. Every point is accounted for: a point in no area is
 * counted in `outside` (with the first few kept as samples for the ingest report), never silently dropped, and a
 * point in more than one area (overlapping sources) is counted in `ambiguous` and assigned to the lowest area
 * index, so totals stay equal to the number of points.
 */
import type { AreaIndex } from './area-index.ts';

export interface IncidentPoint {
  /** EPSG:3006 metres. */
  x: number;
  y: number;
  year: number;
  category: string;
}

export interface OutsideSample {
  x: number;
  y: number;
  /** Where the point came from in its source (one-based line), if the caller passed it. */
  line?: number;
}

export interface Aggregation {
  /** category → year → count per area index (length = number of areas). */
  counts: Map<string, Map<number, Float64Array>>;
  /** Points in no area. */
  outside: number;
  /** The first OUTSIDE_SAMPLES such points, for the report. */
  outsideSamples: OutsideSample[];
  /** Points in two or more areas; each is counted once, in the lowest area index. */
  ambiguous: number;
  /** All points added: sum of all counts + outside. */
  total: number;
}

export const OUTSIDE_SAMPLES = 10;

export class IncidentAggregator {
  private readonly counts = new Map<string, Map<number, Float64Array>>();
  private outside = 0;
  private readonly outsideSamples: OutsideSample[] = [];
  private ambiguous = 0;
  private total = 0;
  private readonly hits: number[] = [];
  // Incidents arrive in runs of the same category and year (sorted exports, one file per year), so remembering
  // the last target array saves two Map lookups per point.
  private lastCategory: string | undefined;
  private lastYear = NaN;
  private lastTarget: Float64Array | undefined;

  constructor(private readonly index: AreaIndex) {}

  /** Adds one point; `line` (one-based, in the source) is only kept for outside samples. */
  add(x: number, y: number, year: number, category: string, line?: number): void {
    // Checked before anything is counted, so a rejected point leaves the tallies unchanged.
    if (year !== this.lastYear && !Number.isInteger(year)) throw new RangeError(`incident year must be an integer, got ${year}`);
    this.total++;
    const n = this.index.locateAll(x, y, this.hits);
    if (n === 0) {
      this.outside++;
      if (this.outsideSamples.length < OUTSIDE_SAMPLES) this.outsideSamples.push(line === undefined ? { x, y } : { x, y, line });
      return;
    }
    if (n > 1) this.ambiguous++;
    this.target(category, year)[this.hits[0]]++;
  }

  addPoint(p: IncidentPoint, line?: number): void {
    this.add(p.x, p.y, p.year, p.category, line);
  }

  /** The tallies so far. The maps are the aggregator's own (not copies): do not add more points while using them. */
  result(): Aggregation {
    return {
      counts: this.counts,
      outside: this.outside,
      outsideSamples: this.outsideSamples.slice(),
      ambiguous: this.ambiguous,
      total: this.total,
    };
  }

  private target(category: string, year: number): Float64Array {
    if (category === this.lastCategory && year === this.lastYear) return this.lastTarget!;
    let byYear = this.counts.get(category);
    if (byYear === undefined) this.counts.set(category, (byYear = new Map()));
    let t = byYear.get(year);
    if (t === undefined) byYear.set(year, (t = new Float64Array(this.index.size)));
    this.lastCategory = category;
    this.lastYear = year;
    this.lastTarget = t;
    return t;
  }
}
