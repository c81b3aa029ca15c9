import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { batchVerdictOf, probeBatchAxes } from './dynamic.batcher';
import { probeCudaUnavailable, type ExecutionProvider } from './execution-provider';
import { signatureFromSession, type ModelSignature } from './model-signature';
import { fromOrtResults, toOrtFeeds, zeroInputs } from './ort-tensor.convert';
import { ModelNotReadyError, ModelRuntimeError } from './runtime.errors';
import type { DecodedTensor } from './tensor.codec';
import { WorkerSession } from './worker.session';

/** Where a model's ONNX bytes come from. */
export type ModelSource = { bytes: Uint8Array } | { path: string } | { fetch: () => Promise<Uint8Array> };

export interface LoadOptions {
  /** Execution providers in order of preference. @default the manager's providers */
  providers?: readonly ExecutionProvider[];
  /** Sizes for named dynamic dimensions in the warm-up input (others take 1). */
  warmupDims?: Record<string, number>;
}

export type SessionState = 'LOADING' | 'READY' | 'FAILED' | 'EVICTED' | 'ABSENT';

export interface SessionStatus {
  key: string;
  state: SessionState;
  /** Why the session is not READY (load or warm-up error, eviction). */
  reason?: string;
  provider?: ExecutionProvider;
  /** Why a preferred provider was not used. */
  providerNote?: string;
  sizeBytes?: number;
  loadedAt?: Date;
  warmupMs?: number;
  /** Threads per run when the manager chose them (1 for a short-running model); absent: onnxruntime's default or the configured count. */
  intraOpThreads?: number;
  /** True when the session runs on a thread of its own (a long-running CPU model). */
  ownThread?: boolean;
}

/** What the manager needs of a session: an onnxruntime session, or one on a thread of its own. */
export interface RunnableSession {
  run(feeds: InferenceSession.FeedsType, options?: InferenceSession.RunOptions): Promise<InferenceSession.ReturnType>;
  release(): Promise<void>;
}

/**
 * When a main-thread run really starts. onnxruntime-node runs a session synchronously in a
 * `setImmediate` callback it queues when `run` is called; the callback queued here just before comes
 * right before it, so the time from it to the run's answer is the run itself, not the wait for the
 * event loop behind other requests' work (which, counted as run time, moved 0.2 ms models to threads
 * of their own whenever the service was busy).
 */
function runStartMark(): { at: number } {
  const mark = { at: performance.now() };
  setImmediate(() => {
    mark.at = performance.now();
  });
  return mark;
}

/** A loaded, warmed-up session with its signature. */
export interface LoadedModel {
  /** The version that opened the session (versions with identical bytes share it). */
  key: string;
  session: RunnableSession;
  signature: ModelSignature;
  sizeBytes: number;
  provider: ExecutionProvider;
  providerNote?: string;
  /**
   * Why requests cannot be joined although the signature allows it: with batch axes known only by
   * position, a warm-up run with two rows showed an output that does not follow the batch.
   */
  batchRefusal?: string;
}

/** pino-compatible logger subset. */
export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SessionManagerOptions {
  /** Budget for the summed ONNX size of loaded sessions; least recently used ones are evicted beyond it. */
  maxBytes: number;
  /** @default ['cpu'] */
  providers?: readonly ExecutionProvider[];
  /**
   * Threads per session run. Unset: onnxruntime's default (one per core), except for a CPU model whose
   * warm-up runs all take under `shortRunMs`, which is opened again with one thread (handing such a
   * run to pool threads costs more than it saves, in latency and in CPU).
   */
  intraOpNumThreads?: number;
  /** @default 1 */
  shortRunMs?: number;
  /**
   * A CPU model whose warm-up runs all take at least this long runs on a thread of its own, so that
   * the event loop (other requests, probes, streams) never waits for it. Real requests are timed
   * too: a model warmed up fast (a 1×1 image) moves to a thread of its own as soon as its runs on
   * the main thread take this long (two of its last four, or one five times as long). 0 keeps every
   * session on the main thread. @default 2
   */
  ownThreadRunMs?: number;
  /** onnxruntime session configuration entries, e.g. `{ 'session.intra_op.allow_spinning': '0' }`. */
  sessionConfig?: Record<string, string>;
  logger?: RuntimeLogger;
}

/** One open session, shared by every version with the same bytes and providers. */
interface Live {
  loaded: LoadedModel;
  /** Content hash and providers: what versions share the session by. */
  content: string;
  /** The versions using it; released once none is left and its runs have ended. */
  refs: Set<string>;
  /** Its status (READY), the same for each version that shares it. */
  status: Omit<SessionStatus, 'key' | 'state'>;
  inFlight: number;
  retired: boolean;
  /** Why its session went (its thread died): runs that fail then are not the input's fault. */
  lost?: string;
  /** Where its bytes come from, read again when the session moves to a thread of its own. */
  source: ModelSource;
  /** A CPU session on the main thread that moves to a thread of its own when its runs are long. */
  movable: boolean;
  /** The move in progress: runs wait for it instead of holding up the event loop. */
  moving?: Promise<void>;
  /** Durations (ms) of its latest runs on the main thread. */
  recent: number[];
  /** Runs in flight per session (a moved session's old one is released once its runs end). */
  runsOn: Map<RunnableSession, number>;
}

interface Entry {
  status: SessionStatus;
  loading?: Promise<LoadedModel>;
  live?: Live;
}

/** `{ 'session.intra_op.allow_spinning': '0' }` as the nested `extra` object onnxruntime-node reads. */
function nestConfig(entries: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

async function readSource(source: ModelSource): Promise<Uint8Array> {
  if ('bytes' in source) return source.bytes;
  if ('path' in source) return new Uint8Array(await fs.readFile(source.path));
  return source.fetch();
}

/**
 * Keeps one onnxruntime session per model version: created once, warmed up, shared, and evicted
 * least-recently-used first when the size budget is exceeded. A failed load is recorded as the
 * version's status and never thrown into requests for other versions.
 */
export class SessionManager {
  private readonly entries = new Map<string, Entry>();
  /** Open (or opening) sessions by content: identical bytes uploaded as several versions load once. */
  private readonly byContent = new Map<string, { opening: Promise<Live>; live?: Live }>();
  private readonly unavailable = new Map<ExecutionProvider, string>();
  private readonly providers: readonly ExecutionProvider[];

  constructor(private readonly options: SessionManagerOptions) {
    this.providers = options.providers?.length ? options.providers : ['cpu'];
  }

  /** Loads (once) and warms up the session for `key`; concurrent calls share one load. A failed load is retried. */
  load(key: string, source: ModelSource, options: LoadOptions = {}): Promise<LoadedModel> {
    const existing = this.entries.get(key);
    if (existing?.live) {
      this.touch(key, existing);
      return Promise.resolve(existing.live.loaded);
    }
    if (existing?.loading) return existing.loading;
    const entry: Entry = existing ?? { status: { key, state: 'LOADING' } };
    entry.status = { key, state: 'LOADING' };
    entry.loading = this.share(key, source, options).then(
      (live) => {
        entry.live = live;
        entry.loading = undefined;
        entry.status = { ...live.status, key, state: 'READY' };
        return live.loaded;
      },
      (error: unknown) => {
        entry.loading = undefined;
        entry.status = { key, state: 'FAILED', reason: error instanceof Error ? error.message : String(error) };
        this.options.logger?.warn({ modelVersion: key, reason: entry.status.reason }, 'model failed to load');
        throw new ModelNotReadyError(key, entry.status.reason as string);
      },
    );
    this.entries.set(key, entry);
    return entry.loading;
  }

  /** The loaded model for `key`, marking it recently used. @throws ModelNotReadyError */
  get(key: string): LoadedModel {
    return this.acquire(key).loaded;
  }

  private acquire(key: string): Live {
    const entry = this.entries.get(key);
    if (!entry?.live) throw new ModelNotReadyError(key, this.status(key).reason ?? 'not loaded');
    this.touch(key, entry);
    return entry.live;
  }

  /** Current state of the session for `key`. */
  status(key: string): SessionStatus {
    const entry = this.entries.get(key);
    if (!entry) return { key, state: 'ABSENT', reason: 'not loaded' };
    if (entry.status.state === 'LOADING') return { ...entry.status, reason: 'loading' };
    return { ...entry.status };
  }

  /** Statuses of every session the manager knows, most recently used last. */
  list(): SessionStatus[] {
    return [...this.entries.keys()].map((k) => this.status(k));
  }

  /** Summed ONNX size of the loaded sessions. */
  usedBytes(): number {
    const open = new Set<Live>();
    for (const e of this.entries.values()) if (e.live) open.add(e.live);
    let total = 0;
    for (const live of open) total += live.loaded.sizeBytes;
    return total;
  }

  /**
   * Runs decoded inputs through the session of `key`; the session is kept alive until the run ends.
   * @throws ModelNotReadyError, ModelRuntimeError with onnxruntime's message when the run fails
   */
  async run(key: string, inputs: readonly DecodedTensor[]): Promise<DecodedTensor[]> {
    const live = this.acquire(key);
    live.inFlight += 1;
    let session: RunnableSession | undefined;
    try {
      // A session moving to its own thread: waiting for it is shorter than holding up the event loop.
      if (live.moving) await live.moving;
      session = live.loaded.session;
      live.runsOn.set(session, (live.runsOn.get(session) ?? 0) + 1);
      const timed = live.movable ? runStartMark() : undefined;
      let results: Record<string, Tensor>;
      try {
        results = (await session.run(toOrtFeeds(inputs))) as Record<string, Tensor>;
      } catch (error) {
        throw this.runError(key, live, error);
      }
      if (timed && live.movable && session === live.loaded.session)
        this.observe(key, live, performance.now() - timed.at);
      return fromOrtResults(results, live.loaded.signature);
    } finally {
      live.inFlight -= 1;
      if (session) {
        const left = (live.runsOn.get(session) ?? 1) - 1;
        if (left > 0) live.runsOn.set(session, left);
        else {
          live.runsOn.delete(session);
          // The main-thread session a moved model left behind.
          if (session !== live.loaded.session) await session.release().catch(() => undefined);
        }
      }
      if (live.retired && live.inFlight === 0) await this.release(live.loaded);
    }
  }

  /** onnxruntime's failure as a ModelRuntimeError; the input caused it unless the session itself went. */
  private runError(key: string, live: Live, error: unknown): ModelRuntimeError {
    const detail = error instanceof Error ? error.message : String(error);
    const sessionWent = live.lost !== undefined;
    const resources = /bad_alloc|out of memory|failed to allocate/i.test(detail);
    return new ModelRuntimeError(key, detail, !sessionWent && !resources);
  }

  /** Times a main-thread run; long ones move the session to a thread of its own. */
  private observe(key: string, live: Live, ms: number): void {
    const threshold = this.options.ownThreadRunMs ?? 2;
    live.recent.push(ms);
    if (live.recent.length > 4) live.recent.shift();
    const long = live.recent.filter((d) => d >= threshold).length;
    if (ms >= threshold * 5 || long >= 2) this.moveToOwnThread(key, live, ms);
  }

  private moveToOwnThread(key: string, live: Live, ms: number): void {
    live.movable = false;
    live.moving = (async () => {
      const bytes = await readSource(live.source);
      const threaded: WorkerSession = await WorkerSession.open(bytes, this.sessionOptions('cpu'), (reason) =>
        this.lost(threaded, reason),
      );
      if (live.retired) {
        await threaded.release();
        return;
      }
      const before = live.loaded.session;
      live.loaded.session = threaded;
      live.status = { ...live.status, ownThread: true, intraOpThreads: undefined };
      for (const ref of live.refs) {
        const entry = this.entries.get(ref);
        if (entry?.live === live) entry.status = { ...live.status, key: ref, state: 'READY' };
      }
      if (!live.runsOn.has(before)) await before.release().catch(() => undefined);
      this.options.logger?.info(
        { modelVersion: key, runMs: ms, versions: [...live.refs] },
        'session moved to a thread of its own (its runs hold up the event loop)',
      );
    })()
      .catch((error: unknown) =>
        this.options.logger?.warn(
          { modelVersion: key, reason: error instanceof Error ? error.message : String(error) },
          'session stays on the main thread: its thread did not open',
        ),
      )
      .finally(() => (live.moving = undefined));
  }

  /** Drops the session of `key` (after its in-flight runs end); a later `load` creates it again. */
  async evict(key: string, reason = 'evicted'): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry?.live) return;
    const live = entry.live;
    entry.live = undefined;
    entry.status = { ...entry.status, state: 'EVICTED', reason };
    this.options.logger?.info({ modelVersion: key, reason }, 'session evicted');
    live.refs.delete(key);
    // Versions with the same bytes keep using the session.
    if (live.refs.size > 0) return;
    this.retire(live);
    if (live.inFlight === 0) await this.release(live.loaded);
  }

  private retire(live: Live): void {
    live.retired = true;
    if (this.byContent.get(live.content)?.live === live) this.byContent.delete(live.content);
  }

  /**
   * Releases every session, and waits for the loads and moves to a thread still under way (a thread
   * left opening a model when the process exits would take the process down with it: see WorkerSession).
   */
  async close(): Promise<void> {
    const underWay = [...this.entries.values()].flatMap((e) => [e.loading, e.live?.moving]);
    for (const key of [...this.entries.keys()]) await this.evict(key, 'closed');
    await Promise.allSettled(underWay);
    // What finished loading meanwhile is released too.
    for (const key of [...this.entries.keys()]) await this.evict(key, 'closed');
    this.entries.clear();
    this.byContent.clear();
  }

  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private async release(model: LoadedModel): Promise<void> {
    await model.session.release().catch(() => undefined);
  }

  private async makeRoom(key: string, size: number): Promise<void> {
    if (size > this.options.maxBytes) {
      throw new Error(`model is ${size} bytes, more than the session budget of ${this.options.maxBytes} bytes`);
    }
    for (const [other, entry] of this.entries) {
      if (this.usedBytes() + size <= this.options.maxBytes) return;
      if (other !== key && entry.live)
        await this.evict(other, `evicted (least recently used) to load ${key} within the session budget`);
    }
  }

  private sessionOptions(
    provider: ExecutionProvider,
    threads = this.options.intraOpNumThreads,
  ): InferenceSession.SessionOptions {
    const options: InferenceSession.SessionOptions = { executionProviders: [provider], logSeverityLevel: 3 };
    if (threads !== undefined) options.intraOpNumThreads = threads;
    if (this.options.sessionConfig && Object.keys(this.options.sessionConfig).length)
      options.extra = nestConfig(this.options.sessionConfig);
    return options;
  }

  /** A session whose thread died: runs in flight have failed; the version is FAILED until loaded again. */
  private lost(session: RunnableSession, reason: string): void {
    for (const [key, entry] of this.entries) {
      const live = entry.live;
      if (!live || live.loaded.session !== session) continue;
      live.lost = reason;
      entry.live = undefined;
      entry.status = { ...entry.status, state: 'FAILED', reason };
      live.refs.delete(key);
      if (live.refs.size === 0) this.retire(live);
      this.options.logger?.warn({ modelVersion: key, reason }, 'session lost');
    }
  }

  private async open(
    bytes: Uint8Array,
    preferred: readonly ExecutionProvider[],
    threads = this.options.intraOpNumThreads,
  ) {
    const notes: string[] = [];
    for (const provider of preferred) {
      if (provider === 'cuda' && !this.unavailable.has('cuda')) {
        const why = probeCudaUnavailable();
        if (why) this.unavailable.set('cuda', why);
      }
      const known = this.unavailable.get(provider);
      if (known) {
        notes.push(`${provider} unavailable: ${known}`);
        continue;
      }
      try {
        const session = await InferenceSession.create(bytes, this.sessionOptions(provider, threads));
        return { session, provider, note: notes.length ? notes.join('; ') : undefined };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (provider === 'cpu') throw error;
        this.unavailable.set(provider, message);
        notes.push(`${provider} unavailable: ${message}`);
      }
    }
    throw new Error(`no usable execution provider (${notes.join('; ') || 'none requested'})`);
  }

  /**
   * The session for `key`'s bytes: the one already open (or opening) for identical bytes and
   * providers, else a new one. Loading settings (warm-up sizes) are those of the first version.
   */
  private async share(key: string, source: ModelSource, options: LoadOptions): Promise<Live> {
    const bytes = await readSource(source);
    const providers = options.providers?.length ? options.providers : this.providers;
    const content = `${createHash('sha256').update(bytes).digest('hex')}|${providers.join(',')}`;
    const existing = this.byContent.get(content);
    if (existing) {
      const live = await existing.opening;
      if (!live.retired) {
        live.refs.add(key);
        this.options.logger?.info(
          { modelVersion: key, sharedWith: live.loaded.key },
          'session shared (identical model bytes)',
        );
        return live;
      }
    }
    const slot: { opening: Promise<Live>; live?: Live } = {
      opening: this.create(key, bytes, source, providers, options).then((live) => {
        live.content = content;
        slot.live = live;
        return live;
      }),
    };
    this.byContent.set(content, slot);
    try {
      const live = await slot.opening;
      live.refs.add(key);
      return live;
    } catch (error) {
      if (this.byContent.get(content) === slot) this.byContent.delete(content);
      throw error;
    }
  }

  private async create(
    key: string,
    bytes: Uint8Array,
    source: ModelSource,
    providers: readonly ExecutionProvider[],
    options: LoadOptions,
  ): Promise<Live> {
    await this.makeRoom(key, bytes.byteLength);
    const opened = await this.open(bytes, providers);
    let session: RunnableSession = opened.session;
    const { provider, note } = opened;
    if (note) this.options.logger?.warn({ modelVersion: key, provider, reason: note }, 'execution provider fallback');
    let signature: ModelSignature;
    let intraOpThreads: number | undefined;
    let ownThread: boolean | undefined;
    let batchRefusal: string | undefined;
    const started = performance.now();
    try {
      signature = signatureFromSession(opened.session);
      const feeds = toOrtFeeds(zeroInputs(signature, options.warmupDims));
      // The failure is reported as the version's status; onnxruntime's own log line would only be noise.
      await session.run(feeds, { logSeverityLevel: 4 });
      const ownThreadMs = this.options.ownThreadRunMs ?? 2;
      const mayReopen = this.options.intraOpNumThreads === undefined && bytes.byteLength <= REOPEN_MAX_BYTES;
      // Timed runs decide where a CPU session runs: on one thread when short, on a thread of its own when long.
      const runs = provider === 'cpu' && (mayReopen || ownThreadMs > 0) ? await timeRuns(session, feeds, 3) : [];
      if (mayReopen && runs.length && runs.every((ms) => ms < (this.options.shortRunMs ?? 1))) {
        const single = (await this.open(bytes, ['cpu'], 1)).session;
        await session.release().catch(() => undefined);
        session = single;
        await session.run(feeds, { logSeverityLevel: 4 });
        intraOpThreads = 1;
      } else if (ownThreadMs > 0 && runs.length && Math.min(...runs) >= ownThreadMs) {
        // Released first: a large model is then in memory once, not twice, while the thread opens it.
        await session.release().catch(() => undefined);
        session = RELEASED;
        const threaded = await WorkerSession.open(bytes, this.sessionOptions('cpu'), (reason) =>
          this.lost(threaded, reason),
        );
        session = threaded;
        await session.run(feeds, { logSeverityLevel: 4 });
        ownThread = true;
      }
      const verdict = batchVerdictOf(signature);
      if (verdict.layout && verdict.byPosition.length) {
        const probed = session;
        batchRefusal = await probeBatchAxes(
          async (inputs) =>
            fromOrtResults(
              (await probed.run(toOrtFeeds(inputs), { logSeverityLevel: 4 })) as Record<string, Tensor>,
              signature,
            ),
          zeroInputs(signature, options.warmupDims),
          verdict.layout,
        );
      }
    } catch (error) {
      await session.release().catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`warm-up failed: ${message}`, { cause: error });
    }
    const warmupMs = performance.now() - started;
    const status: Live['status'] = {
      provider,
      providerNote: note,
      sizeBytes: bytes.byteLength,
      loadedAt: new Date(),
      warmupMs,
      intraOpThreads,
      ownThread,
    };
    this.options.logger?.info(
      {
        modelVersion: key,
        provider,
        warmupMs,
        intraOpThreads: intraOpThreads ?? 'default',
        ownThread: ownThread ?? false,
      },
      'session ready',
    );
    return {
      loaded: { key, session, signature, sizeBytes: bytes.byteLength, provider, providerNote: note, batchRefusal },
      content: '',
      refs: new Set(),
      status,
      inFlight: 0,
      retired: false,
      source,
      movable: provider === 'cpu' && !ownThread && (this.options.ownThreadRunMs ?? 2) > 0,
      recent: [],
      runsOn: new Map(),
    };
  }
}

/** Stands for a session already released while its replacement opens. */
const RELEASED: RunnableSession = {
  run: () => Promise.reject(new Error('session released')),
  release: () => Promise.resolve(),
};

/** Models up to this size may be opened a second time, single-threaded, when their runs are short. */
const REOPEN_MAX_BYTES = 64 * 1024 * 1024;

/** The durations (ms) of `count` runs of `feeds`. */
async function timeRuns(session: RunnableSession, feeds: Record<string, Tensor>, count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = runStartMark();
    await session.run(feeds, { logSeverityLevel: 4 });
    durations.push(performance.now() - started.at);
  }
  return durations;
}
