import { DomainError } from '../../../../lib/src/index';
import type { StoredEndpoint } from '../deployment/deployment.model';
import { renderRelease } from '../kubernetes/release.renderer';
import type { KubernetesManifest } from '../kubernetes/release.renderer';
import type { ReleaseSpec } from '../kubernetes/release-spec.model';
import type { DeploymentDriver, DriverTarget } from './driver.model';
import { inferenceEndpointName, registerEndpoints, unregisterEndpoints } from './endpoint.registrar';
import type { InferenceClient } from './inference.client';
import type { KubernetesApplier } from './kubernetes.applier';

/**
 * Runs releases on a Kubernetes cluster: the endpoints are registered with inference (the serving
 * pods load them by id), then the rendered Deployment, Service, HPA and VirtualService objects are
 * applied server-side. Without a kubeconfig it can only render (dry run).
 */
export class KubernetesDriver implements DeploymentDriver {
  constructor(
    private readonly inference: InferenceClient,
    private readonly applier: KubernetesApplier | null,
    private readonly settings: { namespace: string; image: string },
  ) {}

  plan(target: DriverTarget): unknown[] {
    return this.render(target, target.content.endpoints);
  }

  async apply(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]> {
    this.requireApplier();
    // Render first: an invalid release is refused before anything is created.
    this.render(target, target.content.endpoints);
    const endpoints = await registerEndpoints(this.inference, authorization, target);
    await this.sync({ ...target, content: { ...target.content, endpoints } });
    return endpoints;
  }

  async scale(target: DriverTarget): Promise<void> {
    await this.sync(target);
  }

  async pause(target: DriverTarget): Promise<StoredEndpoint[]> {
    await this.sync({ ...target, content: { ...target.content, scaling: null, replicas: 0 } });
    return target.content.endpoints;
  }

  async remove(target: DriverTarget, authorization: string): Promise<void> {
    await this.requireApplier().remove(this.render(withAutoscaler(target), target.content.endpoints));
    await unregisterEndpoints(this.inference, authorization, target);
  }

  /**
   * Applies the release's objects; without a scaling policy the HPAs a previous release had are
   * deleted, or they would keep resizing the Deployments the release now sizes by hand.
   */
  private async sync(target: DriverTarget): Promise<void> {
    const applier = this.requireApplier();
    await applier.apply(this.render(target, target.content.endpoints));
    if (!target.content.scaling) {
      await applier.remove(
        this.render(withAutoscaler(target), target.content.endpoints).filter(
          (o) => o.kind === 'HorizontalPodAutoscaler',
        ),
      );
    }
  }

  private render(target: DriverTarget, endpoints: StoredEndpoint[]): KubernetesManifest[] {
    const release: ReleaseSpec = {
      application: target.application,
      environment: target.environment,
      revision: target.revision,
      namespace: this.settings.namespace,
      image: this.settings.image,
      // Before registration an endpoint has no id yet: its inference name stands in (dry run only).
      endpoints: endpoints.map((e) => ({
        id: e.endpointId ?? inferenceEndpointName(target, e),
        name: e.name,
        weight: e.weight,
        modelVersionIds: e.routes.map((r) => r.modelVersionId),
      })),
      config: target.config,
      resources: target.content.resources,
      scaling: target.content.scaling,
      replicas: target.content.replicas,
    };
    return renderRelease(release);
  }

  private requireApplier(): KubernetesApplier {
    if (!this.applier)
      throw new DomainError(
        'DRIVER_UNAVAILABLE',
        'the kubernetes driver has no cluster access (AIC_APPS_KUBECONFIG, or a service account in a pod): use dryRun to render the objects',
      );
    return this.applier;
  }
}

/** The target with some scaling policy, so rendering names every HPA object the release can have. */
function withAutoscaler(target: DriverTarget): DriverTarget {
  const scaling = target.content.scaling ?? {
    minReplicas: 1,
    maxReplicas: 1,
    target: { kind: 'CONCURRENCY' as const, averageValue: 1 },
  };
  return { ...target, content: { ...target.content, scaling } };
}
