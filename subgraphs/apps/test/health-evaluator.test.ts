import { describe, expect, it } from 'vitest';
import { evaluateHealth } from '../src/health/health.evaluator';
import type { EndpointObservation } from '../src/health/health.evaluator';

function endpoint(
  id: string,
  weight: number,
  versions: Partial<EndpointObservation['versions'][number]>[],
  extra: Partial<EndpointObservation> = {},
): EndpointObservation {
  return {
    endpointId: id,
    endpointName: `ep-${id}`,
    weight,
    reachable: true,
    ready: true,
    versions: versions.map((v, i) => ({
      modelVersionId: `${id}-mv${i}`,
      version: String(i + 1),
      weight: 100,
      ready: true,
      requests: 200,
      errors: 0,
      latencyP95Ms: 12,
      ...v,
    })),
    ...extra,
  };
}

describe('evaluateHealth', () => {
  it('is HEALTHY when every endpoint is ready, fast and error-free', () => {
    expect(evaluateHealth([endpoint('a', 50, [{}]), endpoint('b', 50, [{}])])).toEqual({
      status: 'HEALTHY',
      diagnostics: [],
    });
  });

  it('is DEGRADED when one of two endpoints is unready, and says which', () => {
    const report = evaluateHealth([endpoint('a', 50, [{}]), endpoint('b', 50, [{ ready: false }], { ready: false })]);
    expect(report.status).toBe('DEGRADED');
    expect(report.diagnostics).toEqual([
      expect.objectContaining({
        endpointId: 'b',
        endpointName: 'ep-b',
        modelVersionId: null,
        check: 'READINESS',
        severity: 'CRITICAL',
      }),
    ]);
  });

  it('is UNHEALTHY when every endpoint carrying traffic is unready or unreachable', () => {
    const report = evaluateHealth([
      endpoint('a', 100, [{ ready: false }]),
      endpoint('b', 0, [{}], { reachable: false, error: 'NOT_FOUND' }),
    ]);
    expect(report.status).toBe('UNHEALTHY');
    expect(report.diagnostics.map((d) => [d.endpointId, d.check])).toEqual([
      ['a', 'READINESS'],
      ['b', 'REACHABILITY'],
    ]);
  });

  it('names the version and the check for error rate and latency', () => {
    const report = evaluateHealth([
      endpoint('a', 100, [
        { weight: 90, requests: 400, errors: 4, latencyP95Ms: 40 },
        { weight: 10, requests: 50, errors: 6, latencyP95Ms: 1800.25, version: '7' },
      ]),
    ]);
    expect(report.status).toBe('DEGRADED');
    expect(report.diagnostics).toEqual([
      expect.objectContaining({
        modelVersionId: 'a-mv1',
        version: '7',
        check: 'ERROR_RATE',
        severity: 'WARNING',
        observed: 0.12,
        threshold: 0.05,
      }),
      expect.objectContaining({
        modelVersionId: 'a-mv1',
        version: '7',
        check: 'LATENCY',
        observed: 1800.25,
        threshold: 1000,
      }),
    ]);
  });

  it('does not judge error rates over too few requests, and fails an endpoint whose only version fails', () => {
    expect(evaluateHealth([endpoint('a', 100, [{ requests: 5, errors: 5 }])]).status).toBe('HEALTHY');
    const failing = evaluateHealth([endpoint('a', 100, [{ requests: 100, errors: 80 }])]);
    expect(failing.status).toBe('UNHEALTHY');
    expect(failing.diagnostics[0]).toMatchObject({
      check: 'ERROR_RATE',
      severity: 'CRITICAL',
      observed: 0.8,
      threshold: 0.5,
    });
  });

  it('flags a canary version that takes traffic while not ready', () => {
    const report = evaluateHealth([endpoint('a', 100, [{ weight: 80 }, { weight: 20, ready: false }])]);
    expect(report.status).toBe('DEGRADED');
    expect(report.diagnostics[0]).toMatchObject({ modelVersionId: 'a-mv1', check: 'READINESS', severity: 'WARNING' });
  });
});
