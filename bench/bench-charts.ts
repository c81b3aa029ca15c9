// Charts of a benchmark's output: every markdown table with a label column and throughput or
// latency columns gives one bar chart per metric and scenario (e.g. per concurrency, or identical
// vs distinct requests). `bench/run.ts` writes them as SVG next to docs/benchmarks.md.
import type { BarChart } from './svg-chart';
import { slug } from './svg-chart';
import type { MarkdownTable } from './markdown-tables';
import { cellNumber, parseMarkdownTables } from './markdown-tables';

export interface NamedChart {
  /** File name (no directory), unique within one benchmark. */
  file: string;
  chart: BarChart;
}

const THROUGHPUT = /(^|\s)(req|rows|samples|calls)\/s$/;
const LATENCY = /^p50 ms$/;
const DISTINCT = /,? distinct requests$/;

/** The scenario of a row: its concurrency, or identical vs distinct requests where labels say so. */
function scenarioOf(table: MarkdownTable, row: Record<string, string>): string {
  if (table.headers.includes('concurrency')) return `concurrency ${row.concurrency}`;
  const labels = table.rows.map((r) => r[table.headers[0]!] ?? '');
  if (labels.some((l) => DISTINCT.test(l)))
    return DISTINCT.test(row[table.headers[0]!] ?? '') ? 'distinct requests' : 'identical requests';
  return '';
}

/**
 * @param key the benchmark's key (file-name prefix)
 * @param title the benchmark's title (used where a table has no heading of its own)
 * @returns one chart per table, throughput or latency column and scenario
 */
export function chartsOf(key: string, title: string, output: string): NamedChart[] {
  const charts: NamedChart[] = [];
  const files = new Set<string>();
  for (const table of parseMarkdownTables(output)) {
    const labelColumn = table.headers[0]!;
    const rate = table.headers.filter((h) => THROUGHPUT.test(h));
    // calls/s and rows/s differ only for batched raw rows: chart rows/s where both are there.
    const throughput = rate.includes('rows/s') ? rate.filter((h) => h !== 'calls/s') : rate;
    const latency = table.headers.filter((h) => LATENCY.test(h));
    // Per-round tables repeat the totals of the main table.
    if ((!throughput.length && !latency.length) || table.headers.includes('round')) continue;
    const groups = new Map<string, Record<string, string>[]>();
    for (const row of table.rows) {
      const s = scenarioOf(table, row);
      groups.set(s, [...(groups.get(s) ?? []), row]);
    }
    for (const [scenario, rows] of groups) {
      const labels = rows.map((r) => (r[labelColumn] ?? '').replace(DISTINCT, ''));
      // A table listing the same label twice (rounds, per-round rows) is not a comparison.
      if (new Set(labels).size !== labels.length) continue;
      for (const column of [...throughput, ...latency]) {
        const bars = rows
          .map((r, i) => ({ label: labels[i]!, value: cellNumber(r[column]) }))
          .filter((b) => Number.isFinite(b.value));
        if (!bars.length) continue;
        const heading = table.heading || title;
        const chartTitle = `${heading}${scenario ? `, ${scenario}` : ''}: ${column}`;
        // The benchmark's key names the file; a table's own heading is added when it has one.
        let file = `${key}-${slug(`${column.replace('/s', ' per s')} ${scenario} ${table.heading}`)}.svg`;
        for (let n = 2; files.has(file); n++) file = file.replace(/(-\d+)?\.svg$/, `-${n}.svg`);
        files.add(file);
        charts.push({
          file,
          chart: {
            title: chartTitle,
            unit: column,
            bars,
            better: LATENCY.test(column) ? 'lower' : 'higher',
          },
        });
      }
    }
  }
  return charts;
}
