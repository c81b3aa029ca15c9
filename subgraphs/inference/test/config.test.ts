import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('reads defaults and the inference settings', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 4004,
      serviceName: 'inference',
      executionProviders: ['cpu'],
      bodyLimitBytes: 41_000_000,
      modelsUrl: 'http://127.0.0.1:4003',
      catalogUrl: 'http://127.0.0.1:4006',
    });
    const gpu = loadConfig({
      AIC_INFERENCE_PROVIDERS: 'cuda,cpu',
      AIC_INFERENCE_INTRA_OP_THREADS: '2',
      AIC_SUBGRAPH_BODY_LIMIT_BYTES: '1000',
    });
    expect(gpu).toMatchObject({ executionProviders: ['cuda', 'cpu'], intraOpNumThreads: 2, bodyLimitBytes: 1000 });
    expect(c.ownThreadRunMs).toBe(2);
    expect(loadConfig({ AIC_INFERENCE_OWN_THREAD_RUN_MS: '0' }).ownThreadRunMs).toBe(0);
    expect(() => loadConfig({ AIC_INFERENCE_OWN_THREAD_RUN_MS: '-1' })).toThrow(
      /AIC_INFERENCE_OWN_THREAD_RUN_MS must be 0 \(never\) or more/,
    );
  });

  it('reads onnxruntime session configuration entries', () => {
    expect(loadConfig({}).sessionConfig).toEqual({
      'session.intra_op.allow_spinning': '0',
      'session.inter_op.allow_spinning': '0',
    });
    expect(
      loadConfig({ AIC_INFERENCE_SESSION_CONFIG: 'session.intra_op.allow_spinning=1, session.set_denormal_as_zero=1' })
        .sessionConfig,
    ).toEqual({
      'session.intra_op.allow_spinning': '1',
      'session.set_denormal_as_zero': '1',
    });
    expect(() => loadConfig({ AIC_INFERENCE_SESSION_CONFIG: 'spinning' })).toThrow(
      /AIC_INFERENCE_SESSION_CONFIG: "spinning" is not key=value/,
    );
  });

  it('reads the environment apps sets on its inference pods (lib/contracts), with AIC_INFERENCE_PROVIDERS as the older name', () => {
    expect(loadConfig({}).pod).toEqual({ endpointId: null, modelVersionIds: [], configVersion: null });
    const pod = loadConfig({
      AIC_EXECUTION_PROVIDERS: 'cuda,cpu',
      AIC_ENDPOINT_ID: 'ep-1',
      AIC_MODEL_VERSION_IDS: 'mv-1, mv-2',
      AIC_CONFIG_VERSION: '7',
    });
    expect(pod).toMatchObject({
      executionProviders: ['cuda', 'cpu'],
      pod: { endpointId: 'ep-1', modelVersionIds: ['mv-1', 'mv-2'], configVersion: 7 },
    });
    // The name apps sets wins over the older one.
    expect(
      loadConfig({ AIC_EXECUTION_PROVIDERS: 'cpu', AIC_INFERENCE_PROVIDERS: 'cuda,cpu' }).executionProviders,
    ).toEqual(['cpu']);
    expect(() => loadConfig({ AIC_EXECUTION_PROVIDERS: 'tpu' })).toThrow(
      /AIC_EXECUTION_PROVIDERS: unknown execution provider "tpu"/,
    );
    expect(() => loadConfig({ AIC_CONFIG_VERSION: 'latest' })).toThrow(
      /AIC_CONFIG_VERSION must be a config version number/,
    );
  });

  it('fails fast on an unknown execution provider', () => {
    expect(() => loadConfig({ AIC_INFERENCE_PROVIDERS: 'tpu' })).toThrow(
      /AIC_INFERENCE_PROVIDERS: unknown execution provider "tpu"/,
    );
  });
});
