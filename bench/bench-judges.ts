import type { MarkdownTable } from './markdown-tables';
import { BEYOND_MODEL_PER_MB } from '../subgraphs/inference/bench/bench.stats';
import { cellNumber, parseMarkdownTables } from './markdown-tables';

/** A target from an issue and whether a run met it. */
export interface Verdict {
  target: string;
  measured: string;
  met: boolean | undefined;
}

const columnOf = (headers: string[], pattern: RegExp) => headers.find((h) => pattern.test(h));

/**
 * Lineage (issue #4): upstream and downstream at depth 5 on 100k nodes, well under 100 ms.
 * @returns one verdict on the slowest p95 of every row
 */
export function judgeLineage(output: string): Verdict[] {
  const table = parseMarkdownTables(output).find((t) => columnOf(t.headers, /^p95/));
  if (!table)
    return [
      {
        target: 'depth-5 lineage query under 100 ms',
        measured: 'no table with a p95 column in the output',
        met: undefined,
      },
    ];
  const col = columnOf(table.headers, /^p95/)!;
  const worst = Math.max(...table.rows.map((r) => cellNumber(r[col])));
  return [
    {
      target: 'depth-5 upstream/downstream lineage, p95 under 100 ms (every database, both directions)',
      measured: `slowest p95 ${worst.toFixed(2)} ms`,
      met: worst < 100,
    },
  ];
}

/**
 * Synthetic data (issue #7): at least 100k generated rows/s on a 10-column, 100k-row table; and
 * (issue #21) at least 50k rows/s for the whole job through the service.
 * @returns one verdict per synthesizer, then the whole-job verdict
 */
export function judgeSynthetic(output: string): Verdict[] {
  const table = parseMarkdownTables(output).find((t) => columnOf(t.headers, /generated rows\/s/));
  if (!table)
    return [
      { target: '≥ 100,000 generated rows/s', measured: 'no "generated rows/s" column in the output', met: undefined },
    ];
  const col = columnOf(table.headers, /generated rows\/s/)!;
  const first = table.headers[0]!;
  const verdicts: Verdict[] = table.rows.map((r) => {
    const rate = cellNumber(r[col]);
    return {
      target: `≥ 100,000 generated rows/s (${r[first]})`,
      measured: `${Math.round(rate).toLocaleString('en-US')} rows/s`,
      met: rate >= 100_000,
    };
  });
  // Issue #21: the whole job (fit, generate, score, register the output in the catalog).
  const job = parseMarkdownTables(output).find((t) => t.headers.includes('whole job rows/s'));
  const jobRate = cellNumber(job?.rows[0]?.['whole job rows/s']);
  verdicts.push({
    target: '≥ 50,000 rows/s for the whole 100k-row job (fit, generate, score, register in the catalog)',
    measured: Number.isFinite(jobRate)
      ? `${Math.round(jobRate).toLocaleString('en-US')} rows/s over ${job!.rows[0]!.rows} rows`
      : 'no whole-job row in the output',
    met: Number.isFinite(jobRate) ? jobRate >= 50_000 : undefined,
  });
  return verdicts;
}

/**
 * Inference (issue #6): on the heavier model the gateway keeps ≥ 80% of raw throughput at
 * concurrency 16; on the small model `predict` through the gateway adds < 2 ms p50 at concurrency
 * 1; batching gives ≥ 3× unbatched throughput. The heavier model is the one whose raw call is
 * slower. Each verdict names the row it read; payloads are compared like with like (JSON numbers
 * against JSON numbers, rawData against rawData).
 * @returns the three verdicts
 */
export function judgeInference(output: string): Verdict[] {
  const all = parseMarkdownTables(output).filter(
    (t) => t.headers.includes('scenario') && t.headers.includes('concurrency'),
  );
  const large = all.find((t) => t.headers.includes(PER_MB));
  const verdicts = judgeSmallAndHeavy(all.filter((t) => t !== large));
  if (large) verdicts.push(...judgeLargeTensor(large));
  return verdicts;
}

const PER_MB = BEYOND_MODEL_PER_MB;

/**
 * Issue #21, the MB-sized image model: predict rawData through the gateway ≥ 80% of raw throughput
 * at concurrency 8, gateway + service CPU ≤ 3 ms per MB of payload (beyond the model's own run), OIP REST binary ≥ 90% of raw.
 * @returns three verdicts, each naming the row it read
 */
function judgeLargeTensor(t: MarkdownTable): Verdict[] {
  const row = (scenario: string) => t.rows.find((r) => r.scenario === scenario && cellNumber(r.concurrency) === 8);
  const raw = cellNumber(row('raw session.run')?.['rows/s']);
  const best = (scenarios: string[]) =>
    scenarios
      .map((s) => ({ s, share: cellNumber(row(s)?.['rows/s']) / raw, perMb: cellNumber(row(s)?.[PER_MB]) }))
      .filter((x) => Number.isFinite(x.share))
      .sort((a, b) => b.share - a.share)[0];
  const gql = best(['gateway predict rawData, batching off', 'gateway predict rawData, batching on']);
  const oip = best(['gateway OIP REST binary, batching off', 'gateway OIP REST binary, batching on']);
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  return [
    {
      target: `${t.heading}: predict rawData through the gateway ≥ 80% of raw throughput at concurrency 8`,
      measured: gql ? `${pct(gql.share)} (${gql.s})` : 'rows missing',
      met: gql ? gql.share >= 0.8 : undefined,
    },
    {
      target: `${t.heading}: gateway + service CPU ≤ 3 ms per MB of payload beyond the model's own run (predict rawData, concurrency 8)`,
      measured: gql && Number.isFinite(gql.perMb) ? `${gql.perMb.toFixed(2)} ms/MB (${gql.s})` : 'rows missing',
      met: gql && Number.isFinite(gql.perMb) ? gql.perMb <= 3 : undefined,
    },
    {
      target: `${t.heading}: OIP REST binary ≥ 90% of raw throughput at concurrency 8`,
      measured: oip ? `${pct(oip.share)} (${oip.s})` : 'rows missing',
      met: oip ? oip.share >= 0.9 : undefined,
    },
  ];
}

function judgeSmallAndHeavy(tables: MarkdownTable[]): Verdict[] {
  if (tables.length < 2)
    return [
      { target: 'the three inference targets', measured: 'fewer than two model tables in the output', met: undefined },
    ];
  type Table = (typeof tables)[number];
  const row = (t: Table, scenario: string, concurrency: number) =>
    t.rows.find((r) => r.scenario === scenario && cellNumber(r.concurrency) === concurrency);
  const rawP50 = (t: Table) => cellNumber(row(t, 'raw session.run', 1)?.['p50 ms']);
  // Two tables at least (checked above).
  const [small, heavy] = [...tables].sort((a, b) => rawP50(a) - rawP50(b)) as [Table, Table, ...Table[]];
  const verdicts: Verdict[] = [];

  const raw16 = cellNumber(row(heavy, 'raw session.run', 16)?.['rows/s']);
  const shareOf = (r: Table['rows'][number] | undefined) => (r ? cellNumber(r['rows/s']) / raw16 : Number.NaN);
  const bestOf = (rows: Table['rows']) =>
    rows.reduce<Table['rows'][number] | undefined>((b, r) => (!b || shareOf(r) > shareOf(b) ? r : b), undefined);
  const gateway16 = heavy.rows.filter((r) => r.scenario?.startsWith('gateway') && cellNumber(r.concurrency) === 16);
  const best = bestOf(gateway16);
  const bestUnbatched = bestOf(gateway16.filter((r) => r.scenario?.endsWith('batching off')));
  const unbatchedNote = bestUnbatched
    ? `; without batching ${(shareOf(bestUnbatched) * 100).toFixed(0)}% (${bestUnbatched.scenario})`
    : '';
  verdicts.push({
    target: `heavier model (${heavy.heading}): through the gateway ≥ 80% of raw throughput at concurrency 16`,
    measured: best
      ? `${(shareOf(best) * 100).toFixed(0)}% (${best.scenario})${unbatchedNote}`
      : 'no gateway row at concurrency 16',
    met: best ? shareOf(best) >= 0.8 : undefined,
  });

  const added = ['JSON', 'rawData']
    .map((payload) => ({
      payload,
      ms: cellNumber(row(small, `gateway predict ${payload}, batching off`, 1)?.['p50 ms']) - rawP50(small),
    }))
    .filter((a) => Number.isFinite(a.ms));
  const least = [...added].sort((a, b) => a.ms - b.ms)[0];
  verdicts.push({
    target: `small model (${small.heading}): predict through the gateway adds < 2 ms p50 at concurrency 1`,
    measured: least
      ? added.map((a) => `+${a.ms.toFixed(2)} ms (${a.payload})`).join(', ') + ' over raw session.run, batching off'
      : 'rows missing',
    met: least ? least.ms < 2 : undefined,
  });

  const gains = tables.flatMap((t) =>
    ['JSON', 'rawData'].map((payload) => {
      const on = cellNumber(row(t, `gateway predict ${payload}, batching on`, 64)?.['rows/s']);
      const off = cellNumber(row(t, `gateway predict ${payload}, batching off`, 64)?.['rows/s']);
      return { where: `${t.heading}, ${payload}`, gain: on / off };
    }),
  );
  const found = gains.filter((g) => Number.isFinite(g.gain)).sort((a, b) => b.gain - a.gain);
  verdicts.push({
    target: 'batching ≥ 3× unbatched throughput on a batchable model (gateway predict, concurrency 64)',
    measured: found.length ? found.map((g) => `${g.gain.toFixed(2)}× (${g.where})`).join(', ') : 'rows missing',
    met: found.length ? found[0]!.gain >= 3 : undefined,
  });
  return verdicts;
}

/**
 * Gateway (issue #9): the bench prints its own goal table; this reads it back.
 * @returns one verdict per comparison row
 */
export function judgeGateway(output: string): Verdict[] {
  const table = parseMarkdownTables(output).find((t) => t.headers.includes('comparison'));
  if (!table)
    return [
      {
        target: 'ours ≥ Hive Gateway and ≥ 3× bare Apollo Gateway',
        measured: 'no goal table in the output',
        met: undefined,
      },
    ];
  return table.rows.map((r) => ({
    target: `${r.comparison}: ${r.goal}`,
    measured: `${r['throughput ratio']} throughput, ${r['CPU-per-request ratio (theirs ÷ ours)']} CPU per request`,
    met:
      (r.met ?? r['met (throughput)']) === 'yes' ? true : (r.met ?? r['met (throughput)']) === 'no' ? false : undefined,
  }));
}
