import { createHash } from 'node:crypto';
import type { Logger, ServiceTokenSource } from '../../../../lib/src/index';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
import { LineageReporter } from '../../../../lib/src/index';

const PRODUCER = 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/apps';
/** Run facet of a rollout: which release of which deployment it put in place. */
const RELEASE_FACET_URL = `${PRODUCER}/facets/release.json`;

/** A release that has been rolled out (its endpoints carry their inference ids). */
export interface RolledOutRelease {
  organizationId: string;
  application: { id: string; name: string };
  environment: string;
  deploymentId: string;
  revision: number;
  rolledBackFrom: number | null;
  endpoints: { name: string; weight: number; endpointId: string | null }[];
}

/** A UUID derived from the release, so every attempt of one rollout (a job taken over) reports the same run. */
function releaseRunId(deploymentId: string, revision: number): string {
  const h = createHash('sha256').update(`rollout\u0000${deploymentId}\u0000${revision}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Reports each rolled-out release as a run of `deploy/<application>/<environment>` in `aic://apps`:
 * the inference endpoints the application uses (`aic://inference` / `endpoints/<id>`, the nodes
 * inference's own deployments write) in, the application (`applications/<id>`) out. Delivery is in
 * the background (lib's LineageReporter): a rollout never waits for the catalog nor fails because of
 * it; undelivered events are retried, then logged whole.
 */
export class DeploymentLineage {
  private readonly reporter: LineageReporter;

  constructor(catalogUrl: string, tokens: ServiceTokenSource, logger: Logger, retryDelaysMs?: readonly number[]) {
    this.reporter = LineageReporter.forService({ catalogUrl, producer: PRODUCER, tokens, logger, retryDelaysMs });
  }

  /** Starts reporting the release; never throws. @returns whether the catalog took it */
  rolledOut(release: RolledOutRelease): Promise<boolean> {
    const endpointIds = [...new Set(release.endpoints.flatMap((e) => (e.endpointId ? [e.endpointId] : [])))];
    return this.reporter.report(release.organizationId, {
      runId: releaseRunId(release.deploymentId, release.revision),
      job: {
        namespace: LINEAGE_NAMESPACES.apps,
        name: lineageNames.applicationDeployJob(release.application.name, release.environment),
      },
      inputs: endpointIds.map((id) => ({ namespace: LINEAGE_NAMESPACES.inference, name: lineageNames.endpoint(id) })),
      outputs: [{ namespace: LINEAGE_NAMESPACES.apps, name: lineageNames.application(release.application.id) }],
      facets: {
        release: {
          _producer: PRODUCER,
          _schemaURL: RELEASE_FACET_URL,
          deploymentId: release.deploymentId,
          environment: release.environment,
          revision: release.revision,
          rolledBackFrom: release.rolledBackFrom,
          endpoints: release.endpoints.map((e) => ({ name: e.name, weight: e.weight, endpointId: e.endpointId })),
        },
      },
    });
  }

  /** Resolves when every report started so far is delivered or given up. */
  settled(): Promise<void> {
    return this.reporter.settled();
  }

  /** Stops retrying; undelivered events are logged whole. */
  close(): void {
    this.reporter.close();
  }
}
