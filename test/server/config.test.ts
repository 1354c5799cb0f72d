/** The configuration: the committed example, errors naming source, key and expectation, environment overrides. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndStore } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import { loadConfig } from '../../server/config.ts';
import { writeMiniDataset } from '../helpers/mini-dataset.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '../../config/example.json');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'regso-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function configFile(content: unknown): Promise<string> {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env, dir);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('accepts the committed example, resolving its paths against the file', () => {
    const config = loadConfig({ CONFIG: EXAMPLE }, '/');
    expect(config.keys.map((k) => [k.id, k.role])).toEqual([['alice', 'analyst'], ['ops', 'admin']]);
    expect(config.manifest).toBe(path.resolve(path.dirname(EXAMPLE), '../data/sources/manifest.json'));
    expect(config.auditLog).toBe(path.resolve(path.dirname(EXAMPLE), '../logs/audit.jsonl'));
    expect(config.precomputeZooms).toEqual([0, 10]);
  });

  it('has working defaults without a file', () => {
    const config = loadConfig({}, dir);
    expect(config).toMatchObject({ port: 8080, trustedProxies: ['loopback'], cors: { origins: '*' }, keys: [], disclosure: { minCount: 5 }, auditLog: null });
  });

  it('names the file, the key path and the expectation of every problem at once', async () => {
    const file = await configFile({
      port: 'eighty',
      keys: [{ id: 'alice', role: 'analyst', sha256: 'abc' }, { id: 'bob', role: 'root', sha256: 'f'.repeat(64) }],
      cors: { origins: ['https://maps.example.se/path'] },
      limits: { maxUrl: 10 },
      trustedProxies: ['10.0.0.0/33'],
    });
    const message = problems({ CONFIG: file });
    expect(message).toContain(`${file}: port: Invalid input: expected number`);
    expect(message).toContain(`${file}: keys[0].sha256: expected 64 lower-case hex digits`);
    expect(message).toContain(`${file}: keys[1].role: Invalid option: expected one of "analyst"|"admin"`);
    expect(message).toContain(`${file}: cors.origins[0]: expected an origin`);
    expect(message).toContain(`${file}: limits: unknown key(s) "maxUrl"`);
    expect(message).toContain(`${file}: trustedProxies[0]: expected an IP address, a CIDR block`);
    expect(message).toMatch(/6 problem\(s\)/);
  });

  it('refuses two keys with one id (checked once the keys are otherwise valid)', async () => {
    const key = { role: 'analyst', sha256: 'f'.repeat(64) };
    const file = await configFile({ keys: [{ id: 'alice', ...key }, { id: 'alice', ...key }] });
    expect(problems({ CONFIG: file })).toContain(`${file}: keys[1].id: expected a unique key id ("alice" is used twice)`);
  });

  it('says when the file is missing or not JSON', async () => {
    expect(problems({ CONFIG: path.join(dir, 'nope.json') })).toMatch(/Cannot read the config file .*nope\.json/);
    expect(problems({ CONFIG: await configFile('{"port": 80,}') })).toMatch(/is not valid JSON/);
  });

  it('lets the environment override the file, under the variable names of earlier versions, and names the variable', async () => {
    const file = await configFile({ port: 9000, cacheMb: 64, trustedProxies: ['10.1.2.3'] });
    const config = loadConfig({ CONFIG: file, PORT: '9100', TILE_CACHE_MB: '32', TRUST_PROXY: 'false', PRECOMPUTE_ZOOMS: 'off', CORS_ORIGINS: 'https://a.se, https://b.se' }, dir);
    expect(config).toMatchObject({ port: 9100, cacheMb: 32, trustedProxies: [], precomputeZooms: 'off', cors: { origins: ['https://a.se', 'https://b.se'] } });
    expect(loadConfig({ TRUST_PROXY: 'true' }, dir).trustedProxies).toEqual(['*']);
    expect(problems({ CONFIG: file, PRECOMPUTE_ZOOMS: '3-20' })).toContain('environment PRECOMPUTE_ZOOMS: precomputeZooms: expected a zoom range from ≤ to ≤ 14');
    expect(problems({ PORT: '70000' })).toContain('environment PORT: port: Too big');
  });

  it('reads ./regso-tiles.json when CONFIG is not set', async () => {
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    await writeFile(path.join(cwd, 'regso-tiles.json'), JSON.stringify({ port: 8123, buildDir: 'builds' }));
    expect(loadConfig({}, cwd)).toMatchObject({ port: 8123, buildDir: path.join(cwd, 'builds') });
  });
});

describe('the disclosure default', () => {
  it('applies to metrics whose catalogue entry states no minimum, and only to those', async () => {
    const mini = await writeMiniDataset();
    const root = await mkdtemp(path.join(dir, 'build-'));
    const { id } = await buildAndStore(mini.manifestFile, root, undefined, { defaultMinCount: 3 });
    const catalog = new Map((await readBuild(root, id)).catalog.map((m) => [m.id, m.disclosure.minCount]));
    // The mini catalogue states 0 for befolkning and nothing for the counts.
    expect(Object.fromEntries(catalog)).toEqual({ befolkning: 0, stold: 3, ovriga: 3, totalt: 3 });
    await rm(mini.dir, { recursive: true, force: true });
  });
});
