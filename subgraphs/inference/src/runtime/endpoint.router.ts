import { createHash } from 'node:crypto';
import { NoReadyRouteError, RuntimeInputError } from './runtime.errors';

/** One model version an endpoint sends traffic to, with its relative weight. */
export interface Route {
  version: string;
  weight: number;
}

export interface RouterConfig {
  routes: readonly Route[];
  /** Version that receives a copy of the traffic; its answers are measured and discarded. */
  shadow?: string;
}

/** Which version answers a request, and which (if any) gets a shadow copy. */
export interface RouteChoice {
  version: string;
  shadow?: string;
}

/** Readiness probe: undefined when ready, else the reason. */
export type ReadinessProbe = (version: string) => string | undefined;

function unitHash(key: string, version: string): number {
  const digest = createHash('sha1').update(key).update('\u0000').update(version).digest();
  // 52 bits keep the value exact in a double; +0.5 keeps it strictly inside (0, 1).
  const high = digest.readUInt32BE(0) >>> 12;
  const low = digest.readUInt32BE(4);
  return (high * 2 ** 32 + low + 0.5) / 2 ** 52;
}

/** Checks route weights and versions; throws RuntimeInputError with the offending field. */
export function validateRouterConfig(config: RouterConfig): void {
  if (config.routes.length === 0) throw new RuntimeInputError('an endpoint needs at least one route', 'routes');
  const seen = new Set<string>();
  config.routes.forEach((r, i) => {
    if (!Number.isFinite(r.weight) || r.weight < 0)
      throw new RuntimeInputError('weight must be a non-negative number', `routes[${i}].weight`);
    if (seen.has(r.version))
      throw new RuntimeInputError(`version ${r.version} is routed twice`, `routes[${i}].modelVersion`);
    seen.add(r.version);
  });
  if (config.routes.every((r) => r.weight === 0))
    throw new RuntimeInputError('at least one route needs a positive weight', 'routes');
}

/**
 * Chooses versions for requests: weighted random without a routing key; with one, weighted
 * rendezvous hashing, so a key keeps reaching the same version and changing one route's weight only
 * moves the keys that must move. Versions that are not ready take no traffic.
 */
export class EndpointRouter {
  constructor(
    private readonly config: RouterConfig,
    private readonly readiness: ReadinessProbe,
    private readonly random: () => number = Math.random,
  ) {
    validateRouterConfig(config);
  }

  /** Picks the answering version (and shadow) for a request. @throws NoReadyRouteError */
  choose(routingKey?: string | null): RouteChoice {
    const reasons: Record<string, string> = {};
    const ready = this.config.routes.filter((r) => {
      if (r.weight <= 0) return false;
      const reason = this.readiness(r.version);
      if (reason !== undefined) reasons[r.version] = reason;
      return reason === undefined;
    });
    if (ready.length === 0) throw new NoReadyRouteError(reasons);
    const version = routingKey ? this.byKey(ready, routingKey) : this.byWeight(ready);
    const shadow = this.config.shadow;
    if (shadow && shadow !== version && this.readiness(shadow) === undefined) return { version, shadow };
    return { version };
  }

  private byWeight(routes: readonly Route[]): string {
    const total = routes.reduce((n, r) => n + r.weight, 0);
    let x = this.random() * total;
    for (const r of routes) {
      x -= r.weight;
      if (x < 0) return r.version;
    }
    return routes[routes.length - 1]!.version;
  }

  private byKey(routes: readonly Route[], key: string): string {
    let best = routes[0]!.version;
    let bestScore = -Infinity;
    for (const r of routes) {
      const score = -r.weight / Math.log(unitHash(key, r.version));
      if (score > bestScore) {
        bestScore = score;
        best = r.version;
      }
    }
    return best;
  }
}
