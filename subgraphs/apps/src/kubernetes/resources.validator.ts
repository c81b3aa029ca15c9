import { InvalidInputError } from '../common/invalid-input.error';
import type { FieldProblem } from '../common/invalid-input.error';
import { parseQuantity } from './quantity.parser';
import type { ResourceSpec } from './release-spec.model';

/** Most GPUs one replica may ask for: the largest common node shape has 8 or 16. */
const MAX_GPUS = 16;

/**
 * Collects every problem of a resource request: quantities that do not parse or are not positive,
 * CPU finer than a millicore, fractional or negative GPU counts, limits below requests, and (for a
 * CPU autoscaling target) a missing CPU request, since utilization is a share of the request.
 * @returns the problems, empty when the request is valid.
 */
export function findResourceProblems(resources: ResourceSpec, options: { cpuTarget: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const parsed: Record<string, number | undefined> = {};
  for (const kind of ['requests', 'limits'] as const) {
    for (const name of ['cpu', 'memory'] as const) {
      const text = resources[kind]?.[name];
      if (text === undefined) continue;
      const field = `resources.${kind}.${name}`;
      const value = parseQuantity(text);
      if (value === null) {
        problems.push({
          field,
          message: `"${text}" is not a Kubernetes quantity (for example ${name === 'cpu' ? '500m or 2' : '512Mi or 4Gi'})`,
        });
      } else if (value <= 0) {
        problems.push({ field, message: 'must be greater than zero' });
      } else if (name === 'cpu' && Math.abs(value * 1000 - Math.round(value * 1000)) > 1e-9) {
        problems.push({ field, message: 'CPU cannot be finer than 1m (one millicore)' });
      } else {
        parsed[field] = value;
      }
    }
  }
  for (const name of ['cpu', 'memory'] as const) {
    const request = parsed[`resources.requests.${name}`];
    const limit = parsed[`resources.limits.${name}`];
    if (request !== undefined && limit !== undefined && limit < request) {
      problems.push({
        field: `resources.limits.${name}`,
        message: `limit ${resources.limits?.[name]} is below the request ${resources.requests?.[name]}`,
      });
    }
  }
  if (resources.gpu !== undefined) {
    if (!Number.isInteger(resources.gpu)) {
      problems.push({
        field: 'resources.gpu',
        message: 'GPUs are whole devices: must be a whole number (nvidia.com/gpu cannot be shared fractionally)',
      });
    } else if (resources.gpu < 0 || resources.gpu > MAX_GPUS) {
      problems.push({ field: 'resources.gpu', message: `must be between 0 and ${MAX_GPUS}` });
    }
  }
  if (options.cpuTarget && resources.requests?.cpu === undefined) {
    problems.push({
      field: 'resources.requests.cpu',
      message: 'a CPU scaling target needs a CPU request (utilization is a share of it)',
    });
  }
  return problems;
}

/**
 * Throws when the resource request is invalid.
 * @throws InvalidInputError listing every bad field.
 */
export function assertValidResources(resources: ResourceSpec, options: { cpuTarget: boolean }): void {
  const problems = findResourceProblems(resources, options);
  if (problems.length > 0) throw new InvalidInputError('invalid resource request', problems);
}
