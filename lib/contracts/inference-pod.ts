// The environment apps sets on the inference pods it deploys (subgraphs/apps/src/kubernetes/
// deployment.renderer.ts renders it with `inferencePodEnv`) and the inference service reads
// (subgraphs/inference/src/config.ts reads it with `readInferencePodEnv`). Add a variable here, then
// render and read it: test/contracts.test.ts fails on a name set or read anywhere else.

/** The variables, by what they carry. */
export const INFERENCE_POD_ENV = {
  /**
   * Execution providers in order of preference (`cuda,cpu` on GPU pods, `cpu` elsewhere): the
   * sessions of every endpoint the pod serves use them unless the endpoint says otherwise.
   */
  executionProviders: 'AIC_EXECUTION_PROVIDERS',
  /** The endpoint the pod was deployed for: in the config, logged at boot, its versions warmed up first. */
  endpointId: 'AIC_ENDPOINT_ID',
  /** The model versions of that endpoint at deploy time (comma-separated): in the config, logged, and a warning at warm-up when the endpoint's routes differ. */
  modelVersionIds: 'AIC_MODEL_VERSION_IDS',
  /** The application config version the pod was rendered from: in the config and logged at boot. */
  configVersion: 'AIC_CONFIG_VERSION',
} as const;

/** The older name of AIC_EXECUTION_PROVIDERS, still read when the new one is not set. */
export const EXECUTION_PROVIDERS_ALIAS = 'AIC_INFERENCE_PROVIDERS';

/** What a pod is told about itself. */
export interface InferencePodSpec {
  executionProviders: string[];
  endpointId: string;
  modelVersionIds: string[];
  configVersion: number;
}

/** The pod's environment entries, in a stable order (apps renders them into the Deployment). */
export function inferencePodEnv(spec: InferencePodSpec): { name: string; value: string }[] {
  return [
    { name: INFERENCE_POD_ENV.endpointId, value: spec.endpointId },
    { name: INFERENCE_POD_ENV.modelVersionIds, value: spec.modelVersionIds.join(',') },
    { name: INFERENCE_POD_ENV.executionProviders, value: spec.executionProviders.join(',') },
    { name: INFERENCE_POD_ENV.configVersion, value: String(spec.configVersion) },
  ];
}

/** What an inference process read about the pod it runs in; all empty outside a deployed pod. */
export interface InferencePodIdentity {
  endpointId: string | null;
  modelVersionIds: string[];
  configVersion: number | null;
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Reads the pod variables.
 * @returns the execution providers (and the variable they came from, for error messages; null when
 * neither is set) and the pod's identity
 */
export function readInferencePodEnv(env: Record<string, string | undefined>): {
  executionProviders: { names: string[]; from: string } | null;
  pod: InferencePodIdentity;
} {
  const providersFrom = env[INFERENCE_POD_ENV.executionProviders]?.trim()
    ? INFERENCE_POD_ENV.executionProviders
    : env[EXECUTION_PROVIDERS_ALIAS]?.trim()
      ? EXECUTION_PROVIDERS_ALIAS
      : null;
  const version = env[INFERENCE_POD_ENV.configVersion]?.trim();
  return {
    executionProviders: providersFrom ? { names: list(env[providersFrom]), from: providersFrom } : null,
    pod: {
      endpointId: env[INFERENCE_POD_ENV.endpointId]?.trim() || null,
      modelVersionIds: list(env[INFERENCE_POD_ENV.modelVersionIds]),
      configVersion: version && /^\d+$/.test(version) ? Number(version) : null,
    },
  };
}
