export interface Row {
  route: string;
  requestsPerSecond: number | undefined;
  p50Ms: number;
  p99Ms: number;
  notes: string;
}

const HEADERS = ['route', 'req/s', 'p50 ms', 'p99 ms', 'notes'];

export const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '-');

function cells(row: Row): string[] {
  return [row.route, row.requestsPerSecond === undefined ? '-' : row.requestsPerSecond.toFixed(0), ms(row.p50Ms), ms(row.p99Ms), row.notes];
}

/** A plain-text table, numbers right-aligned. */
export function textTable(rows: Row[]): string {
  const lines = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...lines.map((l) => (l[c] as string).length)));
  const format = (l: string[]) =>
    l
      .map((cell, c) => (c >= 1 && c <= 3 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  return [format(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => format(cells(r)))].join('\n');
}

/** The same table in Markdown, for bench/RESULTS.md and the README. */
export function markdownTable(rows: Row[]): string {
  return [`| ${HEADERS.join(' | ')} |`, '| --- | ---: | ---: | ---: | --- |', ...rows.map((r) => `| ${cells(r).join(' | ')} |`)].join('\n');
}
