import type { InferencePodIdentity } from '../../../lib/contracts/index';
import { INFERENCE_POD_ENV, SERVICES, localUrl, readInferencePodEnv, urlEnvOf } from '../../../lib/contracts/index';
import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { ConfigError, getEnvList, getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import { isExecutionProvider, type ExecutionProvider } from './runtime/execution-provider';

export interface Config extends BaseServiceConfig {
  modelsUrl: string;
  catalogUrl: string;
  /**
   * Default execution providers, in order of preference: `AIC_EXECUTION_PROVIDERS` (apps sets
   * `cuda,cpu` on GPU pods), else its older name `AIC_INFERENCE_PROVIDERS`, else `cpu`.
   */
  executionProviders: ExecutionProvider[];
  /** What apps told this pod about itself (lib/contracts INFERENCE_POD_ENV); empty outside a deployed pod. */
  pod: InferencePodIdentity;
  /** Budget for the summed ONNX size of loaded sessions. */
  sessionBudgetBytes: number;
  intraOpNumThreads?: number;
  /** A CPU model whose warm-up runs all take at least this many ms runs on a thread of its own; 0: never. */
  ownThreadRunMs: number;
  /**
   * onnxruntime session configuration entries (keys of onnxruntime_session_options_config_keys.h),
   * e.g. `session.intra_op.allow_spinning: '0'` so idle pool threads leave the CPUs to the server.
   */
  sessionConfig?: Record<string, string>;
  /** How long per-version latency samples are kept (live metrics, version comparison). */
  metricsWindowMs: number;
  /** Largest output (elements) a prediction event carries to subscribers. */
  streamOutputLimit: number;
  batchJobConcurrency: number;
  /** Largest model artifact fetched from the models service. */
  maxArtifactBytes: number;
  /** How long the prediction path reuses an endpoint lookup (changes through other replicas apply after it). */
  endpointCacheMs?: number;
  /** A replica that has not reported its endpoint states for this long is left out of endpoint status. */
  replicaStateTtlMs?: number;
  /** How often a replica looks for changes of its endpoint states to write (and refreshes them within a third of the TTL). */
  replicaStateReportMs?: number;
}

/** Reads the inference service's settings; throws ConfigError on a bad value. */
export function loadConfig(env: Env = process.env): Config {
  const base = loadBaseConfig(env, 'inference', SERVICES.inference.port);
  const podEnv = readInferencePodEnv(env);
  const providers = podEnv.executionProviders?.names ?? ['cpu'];
  for (const p of providers)
    if (!isExecutionProvider(p))
      throw new ConfigError(`${podEnv.executionProviders?.from}: unknown execution provider "${p}" (use cuda, cpu)`);
  if (env[INFERENCE_POD_ENV.configVersion]?.trim() && podEnv.pod.configVersion === null)
    throw new ConfigError(
      `${INFERENCE_POD_ENV.configVersion} must be a config version number, got "${env[INFERENCE_POD_ENV.configVersion]}"`,
    );
  const threads = getEnvNum(env, 'AIC_INFERENCE_INTRA_OP_THREADS', 0);
  const ownThreadRunMs = getEnvNum(env, 'AIC_INFERENCE_OWN_THREAD_RUN_MS', 2);
  if (ownThreadRunMs < 0)
    throw new ConfigError(`AIC_INFERENCE_OWN_THREAD_RUN_MS must be 0 (never) or more, got ${ownThreadRunMs}`);
  const sessionConfig: Record<string, string> = {};
  // Idle onnxruntime pool threads spin by default; beside a Node event loop that work is stolen from
  // the server (bench: about half the CPU per small prediction went to spinning).
  for (const entry of getEnvList(env, 'AIC_INFERENCE_SESSION_CONFIG', [
    'session.intra_op.allow_spinning=0',
    'session.inter_op.allow_spinning=0',
  ])) {
    const m = /^([a-z0-9_.]+)=(.*)$/i.exec(entry);
    if (!m || !m[1]!.includes('.'))
      throw new ConfigError(
        `AIC_INFERENCE_SESSION_CONFIG: "${entry}" is not key=value with an onnxruntime config key such as session.intra_op.allow_spinning`,
      );
    sessionConfig[m[1]!] = m[2] ?? '';
  }
  return {
    ...base,
    modelsUrl: getEnvStr(env, urlEnvOf('models'), localUrl('models')),
    catalogUrl: getEnvStr(env, urlEnvOf('catalog'), localUrl('catalog')),
    executionProviders: providers as ExecutionProvider[],
    pod: podEnv.pod,
    sessionBudgetBytes: getEnvNum(env, 'AIC_INFERENCE_SESSION_BUDGET_BYTES', 1024 * 1024 * 1024),
    intraOpNumThreads: threads > 0 ? threads : undefined,
    ownThreadRunMs,
    sessionConfig,
    metricsWindowMs: getEnvNum(env, 'AIC_INFERENCE_METRICS_WINDOW_MS', 15 * 60 * 1000),
    streamOutputLimit: getEnvNum(env, 'AIC_INFERENCE_STREAM_OUTPUT_LIMIT', 4096),
    batchJobConcurrency: getEnvNum(env, 'AIC_INFERENCE_BATCH_CONCURRENCY', 1),
    maxArtifactBytes: getEnvNum(env, 'AIC_INFERENCE_MAX_ARTIFACT_BYTES', 2 * 1024 * 1024 * 1024),
    endpointCacheMs: getEnvNum(env, 'AIC_INFERENCE_ENDPOINT_CACHE_MS', 1000),
    replicaStateTtlMs: getEnvNum(env, 'AIC_INFERENCE_REPLICA_TTL_MS', 30_000),
    replicaStateReportMs: getEnvNum(env, 'AIC_INFERENCE_REPLICA_REPORT_MS', 1000),
  };
}
