/**
 * A small keep-alive load generator for the reliability suite (no autocannon in the dependencies): `connections`
 * loops, each sending its next request as soon as the previous answer has fully arrived, over one http.Agent.
 * Latency is measured to the last byte, per category of request.
 */
import http from 'node:http';

export interface LoadRequest {
  /** For the report: "tile", "features", "metadata", … */
  category: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface LoadResponse {
  request: LoadRequest;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Stops after this long, or when `until` says so (whichever first). */
  seconds: number;
  until?: () => boolean;
  next: () => LoadRequest;
  /** A failure description, or undefined if the response is right. Default: any status ≥ 400 fails. */
  check?: (response: LoadResponse) => string | undefined;
}

export interface LoadReport {
  requests: number;
  seconds: number;
  failed: number;
  /** The first failures, described. */
  failures: string[];
  latencies: Map<string, number[]>;
}

const statusCheck = (r: LoadResponse) => (r.status >= 400 ? `${r.request.path}: ${r.status}` : undefined);

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const check = options.check ?? statusCheck;
  const report: LoadReport = { requests: 0, seconds: 0, failed: 0, failures: [], latencies: new Map() };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const fail = (what: string) => {
    report.failed++;
    if (report.failures.length < 20) report.failures.push(what);
  };
  const loop = async () => {
    while (performance.now() < deadline && !options.until?.()) {
      const request = options.next();
      const t = performance.now();
      try {
        const response = await send(agent, options.url, request);
        const ms = performance.now() - t;
        report.requests++;
        const latencies = report.latencies.get(request.category) ?? [];
        latencies.push(ms);
        report.latencies.set(request.category, latencies);
        const failure = check({ ...response, request, ms });
        if (failure) fail(failure);
      } catch (err) {
        report.requests++;
        fail(`${request.path}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  report.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return report;
}

function send(agent: http.Agent, url: string, r: LoadRequest): Promise<Omit<LoadResponse, 'request' | 'ms'>> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${r.path}`, { agent, method: r.method ?? 'GET', headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The p-th percentile (0–100) of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A plain-text table: per category and in total, requests, requests/s, p50, p95, p99, max (ms). */
export function latencyTable(report: LoadReport): string {
  const rows = [['category', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']];
  const all = [...report.latencies.values()].flat();
  for (const [category, values] of [...[...report.latencies].sort(([a], [b]) => a.localeCompare(b)), ['all', all] as const]) {
    const sorted = [...values].sort((a, b) => a - b);
    rows.push([
      category,
      String(sorted.length),
      (sorted.length / report.seconds).toFixed(0),
      ...[50, 95, 99, 100].map((p) => percentile(sorted, p)?.toFixed(1) ?? '–'),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(rows[0]), ...rows.slice(1).map(line), `${report.requests} requests in ${report.seconds.toFixed(1)} s, ${report.failed} failed`].join('\n');
}
