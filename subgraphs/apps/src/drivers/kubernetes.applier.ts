import type { KubernetesAccess } from '../../../../lib/src/kubernetes-config';
import { createKubeConfig } from '../../../../lib/src/kubernetes-config';
import type { KubernetesManifest } from '../kubernetes/release.renderer';

/** Applies and deletes rendered objects in a cluster. */
export interface KubernetesApplier {
  /** Server-side apply of every object, in order. */
  apply(objects: KubernetesManifest[]): Promise<void>;
  /** Deletes the objects; ones already gone are skipped. */
  remove(objects: Pick<KubernetesManifest, 'apiVersion' | 'kind' | 'metadata'>[]): Promise<void>;
}

const FIELD_MANAGER = 'aic-apps';

/**
 * A KubernetesApplier on `@kubernetes/client-node` with a kubeconfig file or, in a pod, the pod's
 * service account (k8s/base/services/apps.yaml binds it to a Role in the apps namespace). The client
 * is an ES module: it is loaded with a dynamic import (Node ≥ 20.19 also allows require) on first use.
 * @returns the applier; cluster errors surface from `apply`/`remove`.
 */
export function createKubernetesApplier(access: KubernetesAccess): KubernetesApplier {
  const load = async () => {
    const k8s = await import('@kubernetes/client-node');
    const config = await createKubeConfig(access);
    return { api: k8s.KubernetesObjectApi.makeApiClient(config), PatchStrategy: k8s.PatchStrategy };
  };
  let client: ReturnType<typeof load> | undefined;
  const connect = () => {
    client ??= load();
    return client;
  };
  return {
    async apply(objects) {
      const { api, PatchStrategy } = await connect();
      for (const object of objects) {
        await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      }
    },
    async remove(objects) {
      const { api } = await connect();
      for (const object of [...objects].reverse()) {
        try {
          await api.delete(object, undefined, undefined, undefined, undefined, 'Foreground');
        } catch (error) {
          if ((error as { code?: number }).code !== 404) throw error;
        }
      }
    },
  };
}
