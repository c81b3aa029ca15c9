// A small horizontal bar-chart writer for the benchmark report (`npm run bench` writes the charts
// next to docs/benchmarks.md). No dependency: the SVG is built as text.

export interface Bar {
  label: string;
  value: number;
}

export interface BarChart {
  title: string;
  /** What the values measure, e.g. "req/s" or "p50 ms"; shown on the axis and after each value. */
  unit: string;
  bars: Bar[];
  /** "higher" or "lower" is better: stated under the title. */
  better?: 'higher' | 'lower';
}

const LABEL_WIDTH = 380;
const PLOT_WIDTH = 420;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 20;
const GAP = 8;
const TOP = 56;
const BOTTOM = 24;

/** @returns text safe inside an SVG element or attribute */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/**
 * Renders a horizontal bar chart: one bar per label, lengths proportional to the values (the
 * longest bar is the largest value; a value that is not a finite number ≥ 0 gets no bar and "–").
 * @returns a standalone SVG document
 */
export function renderBarChart(chart: BarChart): string {
  const finite = chart.bars.map((b) => (Number.isFinite(b.value) && b.value > 0 ? b.value : 0));
  const max = Math.max(0, ...finite);
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const height = TOP + chart.bars.length * (BAR_HEIGHT + GAP) + BOTTOM;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="8" y="40" fill="#555555">${escapeXml(chart.unit)}${chart.better ? ` (${chart.better} is better)` : ''}</text>`,
  ];
  chart.bars.forEach((bar, i) => {
    const y = TOP + i * (BAR_HEIGHT + GAP);
    const length = max > 0 ? (finite[i]! / max) * PLOT_WIDTH : 0;
    out.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT * 0.7}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect class="bar" x="${LABEL_WIDTH}" y="${y}" width="${length.toFixed(2)}" height="${BAR_HEIGHT}" fill="#3b6ea8" data-value="${Number.isFinite(bar.value) ? bar.value : ''}"/>`,
      `<text x="${(LABEL_WIDTH + length + 6).toFixed(2)}" y="${y + BAR_HEIGHT * 0.7}">${escapeXml(formatValue(bar.value))}</text>`,
    );
  });
  out.push(
    `<line x1="${LABEL_WIDTH}" y1="${TOP - 4}" x2="${LABEL_WIDTH}" y2="${height - BOTTOM + 4}" stroke="#333333"/>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

/** @returns a file-name-safe slug of a title */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'chart'
  );
}
