import type { PodMetrics, PodSample } from './pod-sample.model';

/** Timing rules that decide whether a CPU sample of a starting replica can be trusted. */
export interface ReadinessTiming {
  /** Kubernetes `--horizontal-pod-autoscaler-cpu-initialization-period`. @default 120000 */
  cpuInitializationPeriodMs: number;
  /** Kubernetes `--horizontal-pod-autoscaler-initial-readiness-delay`. @default 10000 */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_READINESS_TIMING: ReadinessTiming = {
  cpuInitializationPeriodMs: 120_000,
  delayOfInitialReadinessStatusMs: 10_000,
};

/** Replicas sorted into the groups the HPA treats differently. */
export interface PodGroups {
  readyPodCount: number;
  /** Pending replicas and (for CPU) replicas whose samples cannot be trusted yet. */
  ignored: Set<string>;
  /** Running replicas without a sample. */
  missing: Set<string>;
}

/**
 * Groups replicas the way the Kubernetes HPA does (`groupPods`): deleted and failed replicas are
 * dropped, pending ones ignored, ones without samples marked missing; for CPU, a replica still in its
 * initialization period or never ready is ignored because start-up CPU spikes would over-scale.
 * @returns the ready count and the ignored and missing sets.
 */
export function groupPods(
  pods: PodSample[],
  metrics: PodMetrics,
  isCpu: boolean,
  timing: ReadinessTiming,
  now: number,
): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, ignored: new Set(), missing: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') continue;
    if (pod.phase === 'Pending') {
      groups.ignored.add(pod.name);
      continue;
    }
    const metric = metrics.get(pod.name);
    if (!metric) {
      groups.missing.add(pod.name);
      continue;
    }
    if (isCpu && isCpuSampleUntrusted(pod, metric.timestamp, metric.windowMs, timing, now)) {
      groups.ignored.add(pod.name);
      continue;
    }
    groups.readyPodCount += 1;
  }
  return groups;
}

function isCpuSampleUntrusted(
  pod: PodSample,
  sampleAt: number,
  windowMs: number,
  timing: ReadinessTiming,
  now: number,
): boolean {
  if (pod.ready === null || pod.startedAt === null) return true;
  const transitionAt = pod.readyTransitionAt ?? 0;
  if (pod.startedAt + timing.cpuInitializationPeriodMs > now) {
    return pod.ready === false || sampleAt < transitionAt + windowMs;
  }
  return pod.ready === false && pod.startedAt + timing.delayOfInitialReadinessStatusMs > transitionAt;
}
