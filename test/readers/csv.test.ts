import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { column, readCsvFile, readCsvHeader, streamCsvFile } from '../../data/readers/csv.ts';
import { expectProblem, fixture, scratchDir } from './helpers.ts';

const write = scratchDir();

/** SCB's export style with a Swedish Excel delimiter: BOM, CRLF, `;`, a decimal comma and a quoted `;`. */
const SWEDISH = '\uFEFFregsokod;namn;värde\r\n0114R001;Bollstanäs;4\r\n0114R002;"Vaxmyra; norra";3,5\r\n';

describe('readCsvFile', () => {
  it('handles a BOM, CRLF and a semicolon delimiter', async () => {
    const file = write('swedish.csv', SWEDISH);
    const table = await readCsvFile(file);
    expect(table).toStrictEqual({
      file,
      columns: ['regsokod', 'namn', 'värde'],
      rows: [
        { line: 2, values: ['0114R001', 'Bollstanäs', '4'] },
        { line: 3, values: ['0114R002', 'Vaxmyra; norra', '3,5'] },
      ],
    });
  });

  it('reads .csv.gz', async () => {
    const table = await readCsvFile(write('swedish.csv.gz', gzipSync(SWEDISH)));
    expect(table.columns).toEqual(['regsokod', 'namn', 'värde']);
    expect(table.rows.map((r) => r.values[1])).toEqual(['Bollstanäs', 'Vaxmyra; norra']);
  });

  it('reads quoted fields: delimiters, doubled quotes and line breaks inside, spaces kept', async () => {
    const file = write('quoted.csv', 'a,b\r\n" x ","say ""hej"""\r\n1,"two\r\nlines"\r\n"",end\r\n');
    const table = await readCsvFile(file);
    expect(table.rows).toStrictEqual([
      { line: 2, values: [' x ', 'say "hej"'] },
      { line: 3, values: ['1', 'two\r\nlines'] },
      { line: 5, values: ['', 'end'] },
    ]);
  });

  it('keeps ragged rows, skips blank lines, and reads a last line without a line break', async () => {
    const file = write('ragged.csv', 'a,b,c\n1,2\n\n1,2,3,4\n,,\nlast,row,"q"');
    const table = await readCsvFile(file);
    expect(table.rows).toStrictEqual([
      { line: 2, values: ['1', '2'] },
      { line: 4, values: ['1', '2', '3', '4'] },
      { line: 5, values: ['', '', ''] },
      { line: 6, values: ['last', 'row', 'q'] },
    ]);
  });

  it('reads the SCB områdestyp export, footnotes and all', async () => {
    const file = fileURLToPath(new URL('../../data/sources/scb-deso-regso/regso_socioekonomisk_index_2023.csv', import.meta.url));
    const table = await readCsvFile(file);
    expect(table.columns).toEqual(['Område', '2023']);
    expect(table.rows[0]).toEqual({ line: 2, values: ['Upplands Väsby (Bollstanäs)', '4'] });
    expect(table.rows.filter((r) => /^[1-5]$/.test(r.values[1]))).toHaveLength(3363);
    // The footnote quoting several lines starts on line 3366; the rows after it keep their own line numbers.
    expect(table.rows.find((r) => r.values[0].startsWith('Delegationen mot segregation'))?.line).toBe(3366);
    expect(table.rows.at(-1)).toEqual({ line: 3414, values: ['000005QX', ''] });
  });

  it('agrees with csv-parse, the reference parser, on generated tables', async () => {
    // Seeded (mulberry32), so that a failure can be reproduced.
    let seed = 20240501;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ['0114R001', 'Bollstanäs', '', ' x ', 'a,b', 'a;b', 'säg "hej"', 'två\nrader', 'crlf\r\nrad', '3,5', '"', '""'];
    for (const delimiter of [',', ';']) {
      for (const eol of ['\n', '\r\n']) {
        const rows = Array.from({ length: 300 }, () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => pieces[Math.floor(random() * pieces.length)]));
        // Quote what must be quoted, a lone empty field too (unquoted it would be a blank line), and some more.
        const field = (v: string, alone: boolean): string =>
          /[",;\r\n]/.test(v) || (alone && v === '') || random() < 0.2 ? `"${v.replaceAll('"', '""')}"` : v;
        const records = [['a', 'b', 'c'], ...rows].map((r) => r.map((v) => field(v, r.length === 1)).join(delimiter));
        const text = '\uFEFF' + records.join(eol) + eol;
        const table = await readCsvFile(write(`generated-${delimiter === ',' ? 'comma' : 'semicolon'}.csv`, text));
        const reference = parse(text, { bom: true, delimiter, relax_column_count: true });
        expect([table.columns, ...table.rows.map((r) => r.values)]).toEqual(reference);
        // A record starts on the line after the previous one's last, its line breaks inside quotes included.
        const starts: number[] = [];
        let line = 1;
        for (const record of records) {
          starts.push(line);
          line += record.split('\n').length;
        }
        expect(table.rows.map((r) => r.line)).toEqual(starts.slice(1));
      }
    }
  });

  it('reports an unterminated quote at the line where it opens', async () => {
    const file = write('open-quote.csv', 'a,b\n1,2\n3,"never closed\n4,5\n6,7\n');
    await expectProblem(readCsvFile(file), { file, line: 3 }, /^unterminated quote: a field opened with " on this line is never closed$/);
  });

  it('reports text after a closing quote, at its line', async () => {
    const file = write('bad-quote.csv', 'a;b\n1;2\n3;"x"y\n');
    await expectProblem(readCsvFile(file), { file, line: 3 }, /^text after the closing quote of field 2: expected ";" or the end of the line$/);
  });

  it('reports text after a closing quote on a later line of a multi-line record, at that line', async () => {
    const file = write('bad-quote-2.csv', 'a,b\n"x\ny",z\n"first\nsecond\nthird"!,z\n');
    await expectProblem(readCsvFile(file), { file, line: 6 }, /^text after the closing quote of field 1/);
  });

  it('reports a quote inside an unquoted field', async () => {
    const file = write('stray-quote.csv', 'namn,typ\nHjällbo,"utsatt"\nSeved,utsatt "2023"\n');
    await expectProblem(readCsvFile(file), { file, line: 3 }, /^a quote inside unquoted field 2: quote the whole field and double the quotes in it$/);
  });

  it('reports a file that is not UTF-8, at the first bad line', async () => {
    const file = write('latin1.csv', Buffer.from('kommun,namn\n0114,Upplands Väsby\n', 'latin1'));
    await expectProblem(readCsvFile(file), { file, line: 2 }, /not valid UTF-8/);
  });

  it('reports an empty file', async () => {
    const file = write('empty.csv', '\uFEFF');
    await expectProblem(readCsvFile(file), { file, line: 1 }, /^the file is empty: expected a header line/);
  });

  it('reports a missing file, plain or gzipped', async () => {
    for (const name of ['missing.csv', 'missing.csv.gz']) {
      const file = fixture(name);
      await expectProblem(readCsvFile(file), { file }, /^cannot read the file: no such file$/);
    }
  });

  it('reports a .csv.gz that is not gzip', async () => {
    const file = write('plain.csv.gz', 'a,b\n1,2\n');
    await expectProblem(readCsvFile(file), { file }, /not valid gzip data/);
  });
});

describe('column', () => {
  it('finds a column by its exact name', async () => {
    const table = await readCsvFile(write('columns.csv', SWEDISH));
    expect(column(table, 'värde')).toBe(2);
  });

  it('reports a missing column at the header, listing the columns', async () => {
    const file = write('columns.csv', SWEDISH);
    const table = await readCsvFile(file);
    await expectProblem(Promise.resolve().then(() => column(table, 'Värde')), { file, line: 1, field: 'Värde' }, /^no column "Värde"; columns are: regsokod, namn, värde$/);
  });
});

describe('streamCsvFile', () => {
  it('streams every row with its line across chunk boundaries, quoted multi-line fields included', async () => {
    // Every 7th row has a quoted field with a line break: some of them straddle the 64 KiB read chunks.
    const lines = ['x,y,date,category'];
    const expected: { line: number; values: string[] }[] = [];
    for (let i = 0; i < 8_000; i++) {
      const category = i % 7 === 0 ? `"Brand, ""grov""\nrad ${i}"` : `Stöld ${i}`;
      expected.push({ line: lines.length + 1, values: [`${300000 + i}`, `${6400000 + i}`, '2024-05-01', i % 7 === 0 ? `Brand, "grov"\nrad ${i}` : `Stöld ${i}`] });
      lines.push(...`${300000 + i},${6400000 + i},2024-05-01,${category}`.split('\n'));
    }
    const text = lines.join('\r\n') + '\r\n';
    for (const file of [write('events.csv', text), write('events.csv.gz', gzipSync(text))]) {
      const seen: { line: number; values: string[] }[] = [];
      const result = await streamCsvFile(file, (values, line) => seen.push({ line, values }));
      expect(result).toEqual({ columns: ['x', 'y', 'date', 'category'], rows: 8_000 });
      expect(seen.map((r) => ({ ...r, values: r.values.map((v) => v.replace('\r\n', '\n')) }))).toEqual(expected);
    }
  });

  it('stops at an unterminated quote with the line, after the rows before it', async () => {
    const file = write('stream-open.csv', 'a\n1\n2\n"3\n4\n');
    const seen: number[] = [];
    await expectProblem(streamCsvFile(file, (_, line) => seen.push(line)), { file, line: 4 }, /^unterminated quote/);
    expect(seen).toEqual([2, 3]);
  });
});

describe('readCsvHeader', () => {
  it('returns the columns', async () => {
    expect(await readCsvHeader(write('header.csv.gz', gzipSync(SWEDISH)))).toEqual(['regsokod', 'namn', 'värde']);
  });

  it('reports an empty file', async () => {
    const file = write('header-empty.csv', '');
    await expectProblem(readCsvHeader(file), { file, line: 1 }, /^the file is empty/);
  });
});
