import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BootKit } from '../../../../lib/src/kit/boot';
import type { RunningService } from '../../../../lib/src/testing/harness';
import { startService, testBaseConfig } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import type { Config } from '../../src/config';
import { createServer } from '../../src/server';

/** A models service on port 0 with its config, for integration tests. */
export interface ModelsUnderTest {
  service: RunningService;
  built: Awaited<ReturnType<typeof createServer>>;
  config: Config;
}

/** Builds a test config: fresh data folder, tokens from `issuer`, catalog at `catalogUrl`. */
export function modelsTestConfig(
  issuer: TestIssuer,
  options: {
    dataDir?: string;
    catalogUrl?: string;
    persistent?: boolean;
    databaseUrl?: string;
    trainingConcurrency?: number;
    workerThreads?: boolean;
    /** Submit training jobs as Kubernetes Jobs to the cluster this kubeconfig names. */
    kubeconfigPath?: string;
  } = {},
): Config {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-'));
  const base = testBaseConfig('models', {
    dataDir,
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    identityUrl: issuer.url,
    serviceSecret: issuer.serviceSecret,
  });
  // persistent: the embedded SQLite file under dataDir, so a second server sees the first one's jobs.
  if (options.persistent) base.databaseUrl = undefined;
  if (options.databaseUrl) base.databaseUrl = options.databaseUrl;
  return {
    ...base,
    catalogUrl: options.catalogUrl ?? 'http://127.0.0.1:9',
    trainingConcurrency: options.trainingConcurrency ?? 2,
    trainingWorkerThreads: options.workerThreads ?? true,
    maxUploadBytes: 50 * 1024 * 1024,
    trainingExecutor: options.kubeconfigPath ? 'kubernetes' : 'inprocess',
    trainingKubernetes: {
      access: options.kubeconfigPath ? { kind: 'kubeconfig', path: options.kubeconfigPath } : undefined,
      namespace: 'aic-ai',
      template: 'training-gpu-template',
      cpuNodePool: 'apps',
      pollMs: 100,
      maxJobs: 20,
    },
  };
}

/** Builds and starts the models service (`kit.consume: false`: an API replica that runs no jobs). */
export async function startModels(config: Config, kit?: Partial<BootKit>): Promise<ModelsUnderTest> {
  const built = await createServer(config, { kit });
  const service = await startService('models', built.server);
  return { service, built, config };
}
