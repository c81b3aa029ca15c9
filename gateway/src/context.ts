import type { Viewer } from '../../lib/src/core';

/** What every gateway operation carries, and what data sources forward. */
export interface GatewayContext {
  authorization?: string;
  traceparent: string;
  requestId: string;
  viewer: Viewer | null;
  /** The client's address as the gateway saw it (forwarded as `x-forwarded-for`). */
  clientIp?: string;
}
