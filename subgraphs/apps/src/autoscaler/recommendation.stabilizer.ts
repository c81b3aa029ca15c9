import type { TimestampedRecommendation } from './scaling-behavior.model';

/** Stabilized size plus the recommendation log to keep for the next decision. */
export interface StabilizedRecommendation {
  replicas: number;
  recommendations: TimestampedRecommendation[];
  reason: 'ScaleUpStabilized' | 'ScaleDownStabilized' | 'ReadyForNewScale';
}

/**
 * Scale-down stabilization without behaviors (Kubernetes `stabilizeRecommendation`): the answer is
 * the highest recommendation made within the window, the new one included, so a brief dip in load
 * does not shrink the workload. An entry older than the window is overwritten instead of appended.
 * @returns the stabilized size and the new log (the input log is not modified).
 */
export function stabilizeRecommendation(
  log: TimestampedRecommendation[],
  desired: number,
  windowSeconds: number,
  now: number,
): StabilizedRecommendation {
  const cutoff = now - windowSeconds * 1000;
  const recommendations = log.map((r) => ({ ...r }));
  let max = desired;
  let oldIndex = -1;
  for (let i = 0; i < recommendations.length; i += 1) {
    const rec = recommendations[i]!;
    if (rec.at < cutoff) oldIndex = i;
    else max = Math.max(max, rec.replicas);
  }
  upsertRecommendation(recommendations, oldIndex, { replicas: desired, at: now });
  return { replicas: max, recommendations, reason: max !== desired ? 'ScaleDownStabilized' : 'ReadyForNewScale' };
}

/**
 * Stabilization in both directions (Kubernetes `stabilizeRecommendationWithBehaviors`): the current
 * size is moved no further up than the lowest recommendation of the scale-up window and no further
 * down than the highest one of the scale-down window.
 * @returns the stabilized size and the new log.
 */
export function stabilizeRecommendationWithBehaviors(
  log: TimestampedRecommendation[],
  args: { desired: number; current: number; upWindowSeconds: number; downWindowSeconds: number; now: number },
): StabilizedRecommendation {
  const upCutoff = args.now - args.upWindowSeconds * 1000;
  const downCutoff = args.now - args.downWindowSeconds * 1000;
  const recommendations = log.map((r) => ({ ...r }));
  let up = args.desired;
  let down = args.desired;
  let oldIndex = -1;
  for (let i = 0; i < recommendations.length; i += 1) {
    const rec = recommendations[i]!;
    if (rec.at > upCutoff) up = Math.min(up, rec.replicas);
    if (rec.at > downCutoff) down = Math.max(down, rec.replicas);
    if (rec.at < upCutoff && rec.at < downCutoff) oldIndex = i;
  }
  let replicas = args.current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  upsertRecommendation(recommendations, oldIndex, { replicas: args.desired, at: args.now });
  const reason =
    replicas === args.desired
      ? 'ReadyForNewScale'
      : args.desired >= args.current
        ? 'ScaleUpStabilized'
        : 'ScaleDownStabilized';
  return { replicas, recommendations, reason };
}

function upsertRecommendation(
  log: TimestampedRecommendation[],
  oldIndex: number,
  entry: TimestampedRecommendation,
): void {
  if (oldIndex >= 0) log[oldIndex] = entry;
  else log.push(entry);
}
