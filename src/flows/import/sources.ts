import { createReadStream, existsSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { parseDatabaseUrl, redactDatabaseUrl } from '../../config/database-url.ts';
import { EnvReader } from '../../config/parse.ts';
import { openDatabase } from '../../store/database.ts';
import { csvRecords } from './csv.ts';

/** One row of an import: where it came from (line of the file, or row of the query) and its columns. */
export type SourceRow = { line: number; values: Record<string, unknown> } | { line: number; problem: string };

export interface ImportSource {
  /** Rows in order; `total` is known up front (for the progress bar), or an estimate. */
  rows: AsyncIterable<SourceRow>;
  total: number;
  /** "line" for files, "row" for query results: how refusals name a row. */
  unit: 'line' | 'row';
  describe: string;
}

export type FileFormat = 'jsonl' | 'csv';

export class SourceError extends Error {}

/** The format from `--format`, else from the extension (.jsonl/.ndjson/.json, .csv). */
export function fileFormat(path: string, format: string | undefined): FileFormat {
  const chosen = format ?? { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.csv': 'csv' }[extname(path).toLowerCase()];
  if (chosen === 'jsonl' || chosen === 'csv') return chosen;
  throw new SourceError(
    format
      ? `--format must be jsonl or csv, got "${format}"`
      : `cannot tell the format of ${path}: name it .jsonl or .csv, or pass --format`,
  );
}

/** Counts line breaks without parsing, for the progress bar's total. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    last = chunk[chunk.length - 1] ?? last;
  }
  return last === 10 ? lines : lines + 1;
}

export async function fileSource(path: string, format: FileFormat): Promise<ImportSource> {
  if (!existsSync(path)) throw new SourceError(`no such file: ${path}`);
  const lines = await countLines(path);
  return format === 'jsonl'
    ? { rows: jsonLines(path), total: lines, unit: 'line', describe: path }
    : { rows: csvRows(path), total: Math.max(0, lines - 1), unit: 'line', describe: path };
}

async function* jsonLines(path: string): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text);
    } catch {
      yield { line, problem: 'not valid JSON' };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line, problem: 'not a JSON object' };
    else yield { line, values: value as Record<string, unknown> };
  }
}

async function* csvRows(path: string): AsyncGenerator<SourceRow> {
  let header: string[] | undefined;
  for await (const record of csvRecords(createReadStream(path, 'utf8') as AsyncIterable<string>)) {
    if (!header) {
      header = record.fields.map((name) => name.trim().toLowerCase());
      if (!header.includes('email')) throw new SourceError(`${path}: the first line must name the columns, with an "email" column`);
      continue;
    }
    if (record.fields.length !== header.length) {
      yield { line: record.line, problem: `has ${record.fields.length} fields where the header names ${header.length}` };
      continue;
    }
    const values: Record<string, unknown> = {};
    header.forEach((name, i) => {
      values[name] = record.fields[i];
    });
    yield { line: record.line, values };
  }
}

/**
 * The rows of a query against the old application's own database (PostgreSQL, MySQL/MariaDB, or
 * SQLite opened read-only), through the same Kysely dialects as Latchkey's own database. The
 * query runs as given: it is the operator's, against their database.
 */
export async function databaseSource(url: string, query: string): Promise<ImportSource> {
  const reader = new EnvReader({ DATABASE_URL: url, DATABASE_POOL_SIZE: '1' });
  const target = parseDatabaseUrl(reader, process.cwd());
  if (reader.problems.length > 0) throw new SourceError(`--from-db: ${reader.problems.join('; ').replaceAll('DATABASE_URL', 'the URL')}`);
  let db: Kysely<unknown>;
  let close: () => Promise<void>;
  if (target.dialect === 'sqlite') {
    // Read-only, never created, no journal-mode change: the old app's file stays as it is.
    if (target.filename === ':memory:' || !existsSync(target.filename))
      throw new SourceError(`--from-db: no such SQLite file: ${target.filename}`);
    const sqlite = new SQLite(target.filename, { readonly: true, fileMustExist: true });
    db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    close = () => db.destroy();
  } else {
    const handle = openDatabase(target);
    db = handle.db as unknown as Kysely<unknown>;
    close = handle.close;
  }
  try {
    const result = await sql.raw<Record<string, unknown>>(query).execute(db);
    const rows = result.rows.map((values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v])));
    return {
      rows: (async function* () {
        for (const [i, values] of rows.entries()) yield { line: i + 1, values };
      })(),
      total: rows.length,
      unit: 'row',
      describe: target.dialect === 'sqlite' ? target.filename : redactDatabaseUrl(url),
    };
  } catch (error) {
    throw new SourceError(`--from-db: the query failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await close();
  }
}
