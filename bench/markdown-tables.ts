/** One markdown table found in a benchmark's output, under the nearest heading before it. */
export interface MarkdownTable {
  heading: string;
  headers: string[];
  rows: Record<string, string>[];
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/**
 * Reads the pipe tables out of markdown text (header row, `---` row, body rows).
 * @returns every table with its rows keyed by header text
 */
export function parseMarkdownTables(markdown: string): MarkdownTable[] {
  const lines = markdown.split('\n');
  const tables: MarkdownTable[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#+\s/.test(line)) heading = line.replace(/^#+\s*/, '');
    if (!line.trim().startsWith('|') || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) continue;
    const headers = cells(line);
    const rows: Record<string, string>[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const values = cells(lines[j]!);
      rows.push(Object.fromEntries(headers.map((h, k) => [h, values[k] ?? ''])));
    }
    tables.push({ heading, headers, rows });
    i = j - 1;
  }
  return tables;
}

/** @returns the number in a table cell ("1,234", "85%", "12.5") or NaN */
export function cellNumber(cell: string | undefined): number {
  if (cell === undefined) return Number.NaN;
  const m = /-?\d[\d,]*(\.\d+)?(e[+-]?\d+)?/i.exec(cell);
  return m ? Number(m[0].replace(/,/g, '')) : Number.NaN;
}
