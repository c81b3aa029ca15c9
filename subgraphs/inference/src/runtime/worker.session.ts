import { Worker } from 'node:worker_threads';
import { Tensor, type InferenceSession } from 'onnxruntime-node';

/**
 * The thread's program. Plain JavaScript run with `eval`, so that it is the same under tsx, vitest
 * and the compiled build (a worker file would need a loader for TypeScript). It opens the model and
 * answers `ready` (or `failed`, then waits to be stopped); it runs each `run` message through the
 * session and answers with the outputs or the error; `release` releases the session once the runs
 * already sent have answered, and ends the thread.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.onnxruntime);
const message = (e) => (e && e.message) || String(e);
ort.InferenceSession.create(workerData.bytes, workerData.options).then(
  (session) => {
    let running = 0;
    let releasing = false;
    const releaseWhenIdle = () => {
      if (releasing && running === 0) session.release().catch(() => undefined).then(() => process.exit(0));
    };
    parentPort.postMessage({ type: 'ready' });
    parentPort.on('message', (m) => {
      if (m.type === 'release') {
        releasing = true;
        return releaseWhenIdle();
      }
      const feeds = {};
      for (const f of m.feeds) {
        feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
        // float16 bits for the binding even where onnxruntime-common made a Float16Array (ortTensor's reason).
        if (f.type === 'float16' && !(feeds[f.name].data instanceof Uint16Array))
          Object.defineProperty(feeds[f.name], 'data', { value: f.data });
      }
      running += 1;
      session.run(feeds, m.options).then(
        (results) => {
          const outputs = Object.entries(results).map(([name, t]) => ({ name, type: t.type, dims: t.dims, data: t.data }));
          // The outputs are this thread's no more: handed over, not copied (a copy where they cannot be).
          const buffers = [...new Set(outputs.map((o) => o.data && o.data.buffer).filter((b) => b instanceof ArrayBuffer))];
          try {
            parentPort.postMessage({ type: 'result', id: m.id, outputs }, buffers);
          } catch {
            parentPort.postMessage({ type: 'result', id: m.id, outputs });
          }
        },
        (e) => parentPort.postMessage({ type: 'result', id: m.id, error: message(e) }),
      ).finally(() => {
        running -= 1;
        releaseWhenIdle();
      });
    });
  },
  (e) => parentPort.postMessage({ type: 'failed', error: message(e) }),
);
`;

type Feeds = InferenceSession.FeedsType;
type Results = InferenceSession.ReturnType;
interface WireTensor {
  name: string;
  type: Tensor.Type;
  dims: readonly number[];
  data: Tensor.DataType;
}
type ThreadMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; outputs?: WireTensor[]; error?: string };

/**
 * An onnxruntime session on a thread of its own. onnxruntime-node runs a session synchronously on
 * the thread that calls it, so a model whose runs take milliseconds holds up every other request,
 * health probe and subscription of the process for as long as it runs. On its own thread the event
 * loop stays free and the service's request handling overlaps the model's runs. Inputs and outputs
 * cross the thread boundary as copies (structured clone): a few microseconds for the tensors of
 * models slow enough to be worth a thread.
 *
 * When the thread dies unexpectedly, runs in flight fail and `onLost` says why; the session is then
 * unusable and its owner drops it.
 *
 * A thread is never stopped (`terminate`) while onnxruntime works on it: onnxruntime-node finishes
 * a session's creation or run on a thread pool and then calls back into the thread's JavaScript
 * environment; if that environment is gone, the callback throws in native code and the whole process
 * aborts (`terminate called after throwing an instance of 'Napi::Error'`), every other model and
 * request with it. So a thread ends itself once its runs are done, and is stopped only when it failed
 * to open its model (nothing is then under way on it).
 */
export class WorkerSession {
  private readonly pending = new Map<number, { resolve(r: Results): void; reject(e: Error): void }>();
  private nextId = 1;
  private ended?: string;
  private releasing = false;
  private released?: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly onLost: (reason: string) => void,
  ) {
    worker.on('message', (m: ThreadMessage) => {
      if (m.type !== 'result') return;
      const waiter = this.pending.get(m.id);
      if (!waiter) return;
      this.pending.delete(m.id);
      if (m.error !== undefined || !m.outputs) return waiter.reject(new Error(m.error ?? 'no outputs'));
      const results: Record<string, Tensor> = {};
      for (const o of m.outputs) results[o.name] = new Tensor(o.type as 'float32', o.data as Float32Array, o.dims);
      waiter.resolve(results);
    });
    worker.on('error', (e) => this.end(`session thread failed: ${e.message}`));
    worker.on('exit', (code) => this.end(`session thread exited (code ${code})`));
  }

  /** Opens `bytes` with `options` on a new thread. @throws the error onnxruntime gave when the model does not load */
  static open(
    bytes: Uint8Array,
    options: InferenceSession.SessionOptions,
    onLost: (reason: string) => void,
  ): Promise<WorkerSession> {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { bytes, options, onnxruntime: require.resolve('onnxruntime-node') },
    });
    return new Promise((resolve, reject) => {
      // An 'error' event without a listener would throw in this thread: the reason is kept for the rejection.
      let failure = '';
      const failed = (e: Error) => (failure = `: ${e.message}`);
      const opening = (m: ThreadMessage) => {
        worker.off('exit', exited).off('error', failed);
        if (m.type === 'ready') return resolve(new WorkerSession(worker, onLost));
        // The model did not open: nothing is under way on the thread, so stopping it is safe.
        void worker.terminate();
        reject(new Error(m.type === 'failed' ? m.error : 'unexpected message'));
      };
      const exited = (code: number) => {
        worker.off('message', opening).off('error', failed);
        reject(new Error(`session thread exited (code ${code}) while opening the model${failure}`));
      };
      worker.once('message', opening);
      worker.once('exit', exited);
      worker.on('error', failed);
    });
  }

  /** Runs `feeds` on the session's thread. */
  run(feeds: Feeds, options?: InferenceSession.RunOptions): Promise<Results> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = this.nextId++;
    const wire: WireTensor[] = Object.entries(feeds).map(([name, t]) => {
      const tensor = t as Tensor;
      return { name, type: tensor.type, dims: tensor.dims, data: tensor.data };
    });
    return new Promise<Results>((resolve, reject) => {
      // Sent first: a tensor that cannot be copied throws here and leaves nothing pending.
      this.worker.postMessage({ type: 'run', id, feeds: wire, options });
      this.pending.set(id, { resolve, reject });
    });
  }

  /**
   * Releases the session and ends its thread once the runs already sent have answered. Resolves when
   * the thread has ended, or after `waitMs` when a run is still under way: the thread then ends by
   * itself when that run does (it is never stopped mid-run, see the class), and no longer keeps the
   * process alive.
   */
  release(waitMs = RELEASE_WAIT_MS): Promise<void> {
    if (this.released) return this.released;
    if (this.ended) return Promise.resolve();
    this.releasing = true;
    this.released = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.worker.unref();
        resolve();
      }, waitMs);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.worker.postMessage({ type: 'release' });
    return this.released;
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    for (const waiter of this.pending.values()) waiter.reject(new Error(reason));
    this.pending.clear();
    if (!this.releasing) this.onLost(reason);
  }
}

/** How long `release` waits for a thread's runs to end before it leaves the thread to end by itself. */
const RELEASE_WAIT_MS = 10_000;
