import type { EntityManager } from '@mikro-orm/core';
import { BadUserInputError } from '../../../../lib/src/index';
import type { CatalogServices } from '../context';
import { LINEAGE_EVENT_TOPIC } from '../context';
import { OpenLineageValidationError } from '../openlineage/openlineage.validator';
import type { IngestResult } from './lineage.ingestor';
import { ingestLineageEvent } from './lineage.ingestor';
import type { LineageEventNotification } from './lineage.types';

/**
 * Validates an OpenLineage document, folds it into the organization's lineage graph and publishes it
 * to `lineageEvents` subscribers.
 * @throws BadUserInputError whose `fields` are the JSON pointers of every validation failure
 */
export async function acceptLineageEvent(em: EntityManager, services: Pick<CatalogServices, 'validator' | 'publish' | 'metrics'>, organizationId: string, body: unknown): Promise<IngestResult> {
  let checked;
  try {
    checked = services.validator.assertValid(body);
  } catch (err) {
    if (err instanceof OpenLineageValidationError) services.metrics.lineageEvents.inc({ kind: 'unknown', outcome: 'invalid' });
    if (err instanceof OpenLineageValidationError) throw new BadUserInputError(err.message, err.issues.map((i) => ({ field: i.path || '/', message: i.message })));
    throw err;
  }
  const { kind, event } = checked;
  const result = await ingestLineageEvent(em, organizationId, kind, event);
  services.metrics.lineageEvents.inc({ kind, outcome: 'accepted' });
  const name = (d: { namespace: string; name: string }) => ({ namespace: d.namespace, name: d.name });
  const notification: LineageEventNotification = {
    organizationId,
    eventId: result.eventId,
    kind,
    eventType: event.eventType ?? null,
    eventTime: event.eventTime,
    runId: event.run?.runId ?? null,
    job: event.job ? name(event.job) : null,
    inputs: (event.inputs ?? []).map(name),
    outputs: [...(event.outputs ?? []), ...(event.dataset ? [event.dataset] : [])].map(name),
  };
  services.publish(LINEAGE_EVENT_TOPIC, notification);
  return result;
}
