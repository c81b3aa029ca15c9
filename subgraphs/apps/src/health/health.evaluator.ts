export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY';
export type HealthCheckKind = 'REACHABILITY' | 'READINESS' | 'ERROR_RATE' | 'LATENCY';
export type DiagnosticSeverity = 'WARNING' | 'CRITICAL';

/** Limits a deployment is held to. Rates are fractions (0.05 = 5%). */
export interface HealthThresholds {
  /** Above this error rate a version is degraded. @default 0.05 */
  maxErrorRate: number;
  /** Above this error rate a version is failing. @default 0.5 */
  criticalErrorRate: number;
  /** Above this p95 latency a version is degraded. @default 1000 */
  maxLatencyP95Ms: number;
  /** Rates over fewer requests are noise and not judged. @default 20 */
  minRequests: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  maxErrorRate: 0.05,
  criticalErrorRate: 0.5,
  maxLatencyP95Ms: 1000,
  minRequests: 20,
};

/** What one endpoint looks like right now, as read from the inference service. */
export interface EndpointObservation {
  endpointId: string;
  endpointName: string;
  /** The application's traffic share for this endpoint (percent). */
  weight: number;
  /** `false` when the endpoint could not be read at all; `error` says why. */
  reachable: boolean;
  error?: string;
  ready: boolean;
  versions: {
    modelVersionId: string;
    version: string | null;
    /** Traffic share inside the endpoint (percent). */
    weight: number;
    ready: boolean;
    requests: number;
    errors: number;
    latencyP95Ms: number | null;
  }[];
}

/** One finding: which endpoint, which version, which check, what was seen against which limit. */
export interface HealthDiagnostic {
  endpointId: string;
  endpointName: string;
  modelVersionId: string | null;
  version: string | null;
  check: HealthCheckKind;
  severity: DiagnosticSeverity;
  observed: number | null;
  threshold: number | null;
  message: string;
}

export interface HealthReport {
  status: HealthStatus;
  diagnostics: HealthDiagnostic[];
}

/**
 * Judges a deployment from its endpoints: an unreachable or unready endpoint is critical; a version
 * that carries traffic but is not ready, errs more than allowed or is slower than allowed degrades
 * it. UNHEALTHY when every endpoint that carries traffic is critical, DEGRADED on any finding,
 * HEALTHY otherwise.
 * @returns the status and the diagnostics that explain it.
 */
export function evaluateHealth(
  endpoints: EndpointObservation[],
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): HealthReport {
  const diagnostics: HealthDiagnostic[] = [];
  const critical = new Set<string>();
  for (const endpoint of endpoints) {
    const at = { endpointId: endpoint.endpointId, endpointName: endpoint.endpointName };
    const add = (d: Omit<HealthDiagnostic, 'endpointId' | 'endpointName'>) => {
      diagnostics.push({ ...at, ...d });
      if (d.severity === 'CRITICAL' && d.modelVersionId === null) critical.add(endpoint.endpointId);
    };
    if (!endpoint.reachable) {
      add({
        modelVersionId: null,
        version: null,
        check: 'REACHABILITY',
        severity: 'CRITICAL',
        observed: null,
        threshold: null,
        message: `endpoint ${endpoint.endpointName} could not be read: ${endpoint.error ?? 'unknown error'}`,
      });
      continue;
    }
    const serving = endpoint.versions.filter((v) => v.weight > 0);
    const endpointReady = endpoint.ready && serving.some((v) => v.ready);
    if (!endpointReady) {
      add({
        modelVersionId: null,
        version: null,
        check: 'READINESS',
        severity: 'CRITICAL',
        observed: 0,
        threshold: 1,
        message: `endpoint ${endpoint.endpointName} is not ready: no model version that receives traffic is ready`,
      });
    }
    for (const v of serving) {
      const ref = { modelVersionId: v.modelVersionId, version: v.version };
      const name = `${endpoint.endpointName} version ${v.version ?? v.modelVersionId}`;
      if (!v.ready && endpointReady) {
        add({
          ...ref,
          check: 'READINESS',
          severity: 'WARNING',
          observed: 0,
          threshold: 1,
          message: `${name} receives ${v.weight}% of the traffic but is not ready`,
        });
      }
      if (v.requests >= thresholds.minRequests) {
        const rate = v.errors / v.requests;
        if (rate > thresholds.maxErrorRate) {
          const severity: DiagnosticSeverity = rate > thresholds.criticalErrorRate ? 'CRITICAL' : 'WARNING';
          add({
            ...ref,
            check: 'ERROR_RATE',
            severity,
            observed: round(rate),
            threshold: severity === 'CRITICAL' ? thresholds.criticalErrorRate : thresholds.maxErrorRate,
            message: `${name} failed ${v.errors} of ${v.requests} requests (${(rate * 100).toFixed(1)}%)`,
          });
        }
      }
      if (v.latencyP95Ms !== null && v.latencyP95Ms > thresholds.maxLatencyP95Ms) {
        add({
          ...ref,
          check: 'LATENCY',
          severity: 'WARNING',
          observed: round(v.latencyP95Ms),
          threshold: thresholds.maxLatencyP95Ms,
          message: `${name} answers in ${v.latencyP95Ms.toFixed(1)} ms at p95, above ${thresholds.maxLatencyP95Ms} ms`,
        });
      }
    }
    // A version that fails most requests makes the whole endpoint critical when it is the only one serving.
    const failing = serving.filter(
      (v) => v.requests >= thresholds.minRequests && v.errors / v.requests > thresholds.criticalErrorRate,
    );
    if (serving.length > 0 && failing.length === serving.length) critical.add(endpoint.endpointId);
  }
  const carrying = endpoints.filter((e) => e.weight > 0);
  const status: HealthStatus =
    carrying.length > 0 && carrying.every((e) => critical.has(e.endpointId))
      ? 'UNHEALTHY'
      : diagnostics.length > 0
        ? 'DEGRADED'
        : 'HEALTHY';
  return { status, diagnostics };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
