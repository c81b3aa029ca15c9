import { BadUserInputError } from '../../../../lib/src/index';
import { LineageNodeKindEnum } from './lineage.type';
import type { LineageGraphQuery } from './lineage.service';

/**
 * The start node of `lineage`: `from`, or the older namespace + name (+ kind, DATASET by default).
 * @throws BadUserInputError when neither or both are given, or one is incomplete
 */
export function lineageStart(
  from: { namespace: string; name: string; kind?: LineageNodeKindEnum | null } | null,
  namespace: string | null,
  name: string | null,
  kind: LineageNodeKindEnum | null,
): Pick<LineageGraphQuery, 'namespace' | 'name' | 'kind'> {
  // GraphQL leaves omitted arguments undefined.
  const old = namespace != null || name != null || kind != null;
  if (from && old)
    throw new BadUserInputError('Give the start node once', [
      { field: 'from', message: 'give either from or namespace and name, not both' },
    ]);
  if (from) {
    const problems = [
      ...(from.namespace.trim() ? [] : [{ field: 'from.namespace', message: 'must not be empty' }]),
      ...(from.name.trim() ? [] : [{ field: 'from.name', message: 'must not be empty' }]),
    ];
    if (problems.length) throw new BadUserInputError('Invalid start node', problems);
    return { namespace: from.namespace, name: from.name, kind: from.kind ?? null };
  }
  if (namespace == null || name == null)
    throw new BadUserInputError('A start node is needed', [
      { field: 'from', message: 'give from: { namespace, name } (or namespace and name)' },
    ]);
  return { namespace, name, kind: kind ?? LineageNodeKindEnum.DATASET };
}
