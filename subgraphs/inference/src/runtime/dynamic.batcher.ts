import { createHash } from 'node:crypto';
import { isDynamic, type ModelSignature, type TensorSpec } from './model-signature';
import type { DecodedTensor } from './tensor.codec';
import { concatTensors, splitTensor } from './tensor-batch';
import { tensorToBytes } from './tensor.codec';

/** Where the batch dimension sits in each input and output (null: not batched, must match to join). */
export interface BatchLayout {
  inputAxes: (number | null)[];
  outputAxes: number[];
}

export interface BatchingOptions {
  /** Most rows (summed first dimensions) joined into one run; 1 or less turns batching off. */
  maxBatchSize: number;
  /**
   * How long a batch may wait for more requests before it runs (Triton's max queue delay). With 0
   * a request runs at once when the model is idle, and requests that arrive while it is busy join
   * the next run: no added latency when idle, batches under load.
   */
  maxQueueDelayMs: number;
}

export type Executor = (inputs: DecodedTensor[]) => Promise<DecodedTensor[]>;

/**
 * The batch axis of one input or output: where the first input's batch dimension is by name, else
 * its first dimension when that is dynamic (exporters often name the output's batch dimension
 * differently from the input's, or leave it unnamed), else none.
 */
function batchAxis(spec: TensorSpec, symbol: string | null): number | null {
  if (symbol !== null) {
    const axis = spec.shape.indexOf(symbol);
    if (axis >= 0) return axis;
  }
  return spec.shape.length > 0 && isDynamic(spec.shape[0]!) ? 0 : null;
}

/**
 * Whether a signature can batch: its layout (with the tensors whose batch axis is known only by
 * position, not by the first input's symbolic name), or why not.
 */
export type BatchVerdict =
  | { layout: BatchLayout; byPosition: string[]; reason?: undefined }
  | { layout?: undefined; byPosition?: undefined; reason: string };

/**
 * Whether requests to a model can be joined, and along which axes. The first input's first
 * dimension must be dynamic; every other input and every output carries the batch dimension where
 * the first input's symbolic name says or, failing that, as its dynamic first dimension, so results
 * split back. Inputs without it (a sample-rate scalar, say) are shared: only requests with equal
 * values join.
 */
export function batchVerdictOf(signature: ModelSignature): BatchVerdict {
  const first = signature.inputs[0];
  if (!first) return { reason: 'the model has no inputs' };
  if (first.shape.length === 0 || !isDynamic(first.shape[0]!))
    return {
      reason: `the first dimension of input "${first.name}" is ${first.shape.length === 0 ? 'absent (a scalar)' : `fixed (${first.shape[0]})`}, not dynamic`,
    };
  const symbol = first.shape[0] as string | null;
  const inputAxes = signature.inputs.map((s) => batchAxis(s, symbol));
  const outputAxes = signature.outputs.map((s) => batchAxis(s, symbol));
  const unsplittable = signature.outputs.filter((_, i) => outputAxes[i] === null);
  if (unsplittable.length)
    return {
      reason: `output ${unsplittable.map((o) => `"${o.name}"`).join(', ')} has no batch dimension to split results along`,
    };
  const byPosition = [...signature.inputs, ...signature.outputs]
    .filter((t) => t.shape.length > 0 && isDynamic(t.shape[0]!) && (symbol === null || t.shape[0] !== symbol))
    .filter((t) => symbol === null || !t.shape.includes(symbol))
    .map((t) => t.name);
  return { layout: { inputAxes, outputAxes: outputAxes as number[] }, byPosition };
}

/**
 * Checks with real runs that a model keeps the batch dimension where a layout guessed by position
 * says (an output whose dynamic first dimension is, say, a number of detections would otherwise be
 * split wrongly whenever it happened to equal the rows joined): the warm-up inputs once and twice
 * over must give outputs with once and twice the rows.
 * @returns why the model cannot batch, or undefined when it can
 */
export async function probeBatchAxes(
  execute: Executor,
  inputs: DecodedTensor[],
  layout: BatchLayout,
): Promise<string | undefined> {
  const first = layout.inputAxes.findIndex((a) => a !== null);
  const rows = inputs[first]?.shape[layout.inputAxes[first]!];
  if (rows === undefined) return 'no batched input';
  const doubled = inputs.map((t, i) => {
    const axis = layout.inputAxes[i]!;
    return axis === null ? t : concatTensors([t, t], axis);
  });
  let once: DecodedTensor[];
  let twice: DecodedTensor[];
  try {
    once = await execute(inputs);
    twice = await execute(doubled);
  } catch (error) {
    return `two warm-up rows in one run failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  for (const [i, axis] of layout.outputAxes.entries()) {
    const a = once[i]?.shape[axis];
    const b = twice[i]?.shape[axis];
    if (a !== rows || b !== 2 * rows)
      return `output "${once[i]?.name ?? i}" does not follow the batch (${a} for ${rows} input rows, ${b} for ${2 * rows})`;
  }
  return undefined;
}

/** The batch layout of a signature, or undefined when requests cannot be joined (see batchVerdictOf). */
export function batchLayoutOf(signature: ModelSignature): BatchLayout | undefined {
  return batchVerdictOf(signature).layout;
}

interface Pending {
  inputs: DecodedTensor[];
  rows: number;
  resolve: (outputs: DecodedTensor[]) => void;
  reject: (error: unknown) => void;
}

interface Group {
  key: string;
  items: Pending[];
  rows: number;
  /** May run as soon as a run slot is free (its delay is over, or it is full). */
  due: boolean;
  timer?: NodeJS.Timeout;
}

/** Counters of what the batcher did, for metrics. */
export interface BatcherStats {
  runs: number;
  requests: number;
  largestBatch: number;
}

/**
 * Joins concurrent requests for one model version into one run along the batch dimension and
 * splits the results back, so each caller gets exactly what it would have got alone. At most
 * `slots()` batches run at once (the endpoint's replicas); a batch stays open to new requests of
 * its kind until it starts, so the busier the model, the fuller its batches.
 */
export class DynamicBatcher {
  /** Batches waiting to run, oldest first. */
  private readonly queue: Group[] = [];
  /** The batch of each kind that still takes requests. */
  private readonly open = new Map<string, Group>();
  private running = 0;
  private pumping = false;
  readonly stats: BatcherStats = { runs: 0, requests: 0, largestBatch: 0 };

  constructor(
    private readonly execute: Executor,
    private readonly layout: BatchLayout,
    private readonly options: BatchingOptions,
    private readonly slots: () => number = () => 1,
  ) {}

  /** Runs `inputs` (in signature order), joined with other requests when possible. */
  submit(inputs: DecodedTensor[]): Promise<DecodedTensor[]> {
    const rows = this.rowsOf(inputs);
    this.stats.requests += 1;
    if (rows === undefined || this.options.maxBatchSize <= 1 || rows >= this.options.maxBatchSize) {
      this.stats.runs += 1;
      return this.execute(inputs);
    }
    const key = this.groupKey(inputs);
    return new Promise<DecodedTensor[]>((resolve, reject) => {
      let group = this.open.get(key);
      if (group && group.rows + rows > this.options.maxBatchSize) {
        this.close(group);
        group = undefined;
      }
      if (!group) {
        const fresh: Group = { key, items: [], rows: 0, due: this.options.maxQueueDelayMs <= 0 };
        if (!fresh.due) {
          fresh.timer = setTimeout(() => {
            fresh.due = true;
            this.pump();
          }, this.options.maxQueueDelayMs);
        }
        group = fresh;
        this.open.set(key, group);
        this.queue.push(group);
      }
      group.items.push({ inputs, rows, resolve, reject });
      group.rows += rows;
      if (group.rows >= this.options.maxBatchSize) this.close(group);
      this.pump();
    });
  }

  /** Requests queued that have not started running. */
  get waiting(): number {
    return this.queue.reduce((n, g) => n + g.items.length, 0);
  }

  /** Runs everything still queued at once, whatever the run slots (a version is going away). */
  flushAll(): void {
    for (const group of this.queue.splice(0)) this.start(group);
  }

  /** A full batch takes no more requests and may run. */
  private close(group: Group): void {
    group.due = true;
    if (this.open.get(group.key) === group) this.open.delete(group.key);
  }

  /**
   * Starts due batches, oldest first, while run slots are free — at the end of the current turn of
   * the event loop, so every request that arrived in the same turn (all those read from the sockets
   * while the model was busy) joins the batch instead of the first one running alone.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      while (this.running < this.slots()) {
        const index = this.queue.findIndex((g) => g.due);
        if (index < 0) return;
        const [group] = this.queue.splice(index, 1);
        this.start(group!);
      }
    });
  }

  private start(group: Group): void {
    clearTimeout(group.timer);
    if (this.open.get(group.key) === group) this.open.delete(group.key);
    this.running += 1;
    void this.runGroup(group.items)
      // Whatever went wrong while joining or splitting reaches the callers (a settled one ignores it).
      .catch((error: unknown) => group.items.forEach((p) => p.reject(error)))
      .finally(() => {
        this.running -= 1;
        this.pump();
      });
  }

  private rowsOf(inputs: DecodedTensor[]): number | undefined {
    let rows: number | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const axis = this.layout.inputAxes[i]!;
      if (axis === null) continue;
      const n = inputs[i]!.shape[axis];
      if (n === undefined || (rows !== undefined && rows !== n)) return undefined;
      rows = n;
    }
    return rows;
  }

  private groupKey(inputs: DecodedTensor[]): string {
    const hash = createHash('sha1');
    inputs.forEach((t, i) => {
      const axis = this.layout.inputAxes[i];
      const shape = t.shape.map((d, a) => (a === axis ? '*' : d)).join(',');
      hash.update(`${t.name}:${t.datatype}:${shape};`);
      if (axis === null) hash.update(tensorToBytes(t));
    });
    return hash.digest('base64');
  }

  private async runGroup(items: Pending[]): Promise<void> {
    this.stats.runs += 1;
    this.stats.largestBatch = Math.max(
      this.stats.largestBatch,
      items.reduce((n, p) => n + p.rows, 0),
    );
    if (items.length === 1) {
      const only = items[0]!;
      await this.execute(only.inputs).then(only.resolve, only.reject);
      return;
    }
    let outputs: DecodedTensor[];
    try {
      const joined = items[0]!.inputs.map((t, i) => {
        const axis = this.layout.inputAxes[i]!;
        return axis === null
          ? t
          : concatTensors(
              items.map((p) => p.inputs[i]!),
              axis,
            );
      });
      outputs = await this.execute(joined);
    } catch (error) {
      for (const p of items) p.reject(error);
      return;
    }
    const sizes = items.map((p) => p.rows);
    const total = sizes.reduce((a, b) => a + b, 0);
    const pieces = outputs.map((t, i) => {
      const axis = this.layout.outputAxes[i]!;
      return t.shape[axis] === total ? splitTensor(t, axis, sizes) : undefined;
    });
    if (pieces.some((p) => p === undefined)) {
      // The model did not keep the batch dimension where its signature says: answer one by one instead.
      await Promise.all(items.map((p) => this.execute(p.inputs).then(p.resolve, p.reject)));
      return;
    }
    items.forEach((p, r) => p.resolve(pieces.map((perOutput) => (perOutput as DecodedTensor[])[r]!)));
  }
}
