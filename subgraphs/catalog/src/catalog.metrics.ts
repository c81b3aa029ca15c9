import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';

/** The catalog's own Prometheus metrics, on the service's registry. */
export interface CatalogMetrics {
  lineageEvents: Counter<'kind' | 'outcome'>;
  lineageEventWarnings: Counter<'kind'>;
  profiling: Histogram<'outcome'>;
  profiledRows: Counter;
}

/** Registers the catalog's metrics on `registry` (one registry per service instance). */
export function createCatalogMetrics(registry: Registry): CatalogMetrics {
  return {
    lineageEvents: new Counter({
      name: 'catalog_lineage_events_total',
      help: 'OpenLineage events received, by kind and outcome (accepted, accepted_with_warnings, invalid)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    lineageEventWarnings: new Counter({
      name: 'catalog_lineage_event_warnings_total',
      help: 'Non-fatal spec violations in accepted OpenLineage events (the offending facets are left out of the graph)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    profiling: new Histogram({
      name: 'catalog_profiling_duration_seconds',
      help: 'Time to profile and check one content version',
      labelNames: ['outcome'],
      registers: [registry],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    }),
    profiledRows: new Counter({
      name: 'catalog_profiled_rows_total',
      help: 'Rows read by the profiler',
      registers: [registry],
    }),
  };
}
