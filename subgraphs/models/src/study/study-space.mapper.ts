import { BadUserInputError } from '../../../../lib/src/index';
import { OptimizationDirection, SearchParameterType } from '../common/enums';
import type { Params, SearchSpace } from '../engine/hpo/search-space';
import { SearchSpaceError, validateSearchSpace } from '../engine/hpo/search-space';
import type { SearchParameterInput } from './study.input';

const FLOAT_PARAMS = ['learningRate', 'l2'];
const INT_PARAMS = ['epochs', 'batchSize', 'hiddenUnits', 'hiddenLayerCount', 'seed'];
// A Map: parameter names are the client's, and `constructor` or `toString` are no hyperparameters.
const CATEGORICAL_PARAMS = new Map<string, string[]>([
  ['activation', ['RELU', 'TANH', 'SIGMOID']],
  ['optimizer', ['SGD', 'ADAM']],
]);
const MINIMIZED = ['validationLoss', 'logLoss', 'rmse', 'mae'];
const METRICS = ['validationLoss', 'accuracy', 'f1Macro', 'rocAuc', 'logLoss', 'rmse', 'mae', 'r2'];

/** Maps the GraphQL search space to the engine's and validates it (BAD_USER_INPUT on `searchSpace[i]...`). */
export function toSearchSpace(inputs: SearchParameterInput[]): SearchSpace {
  if (inputs.length === 0)
    throw new BadUserInputError('The search space is empty', [
      { field: 'searchSpace', message: 'at least one parameter' },
    ]);
  const space: SearchSpace = {};
  inputs.forEach((p, i) => {
    const at = `searchSpace[${i}]`;
    if (Object.hasOwn(space, p.name))
      throw new BadUserInputError('Duplicate parameter', [{ field: `${at}.name`, message: `${p.name} appears twice` }]);
    if (p.type === SearchParameterType.CATEGORICAL) {
      const allowed = CATEGORICAL_PARAMS.get(p.name);
      if (!allowed && ![...FLOAT_PARAMS, ...INT_PARAMS].includes(p.name))
        throw new BadUserInputError('Unknown hyperparameter', [
          {
            field: `${at}.name`,
            message: `one of ${[...FLOAT_PARAMS, ...INT_PARAMS, ...CATEGORICAL_PARAMS.keys()].join(', ')}`,
          },
        ]);
      const choices = p.choices ?? [];
      if (allowed && choices.some((c) => !allowed.includes(String(c))))
        throw new BadUserInputError('Invalid choice', [
          { field: `${at}.choices`, message: `choices of ${p.name}: ${allowed.join(', ')}` },
        ]);
      if (!allowed && choices.some((c) => typeof c !== 'number'))
        throw new BadUserInputError('Invalid choice', [{ field: `${at}.choices`, message: `${p.name} takes numbers` }]);
      space[p.name] = { type: 'categorical', choices };
      return;
    }
    const isFloat = p.type === SearchParameterType.FLOAT;
    if (!(isFloat ? FLOAT_PARAMS : INT_PARAMS).includes(p.name))
      throw new BadUserInputError('Unknown hyperparameter for this type', [
        { field: `${at}.name`, message: `${p.type} parameters: ${(isFloat ? FLOAT_PARAMS : INT_PARAMS).join(', ')}` },
      ]);
    if (p.low == null || p.high == null)
      throw new BadUserInputError('Bounds are required', [
        { field: `${at}.low`, message: 'low and high are required' },
      ]);
    space[p.name] = {
      type: isFloat ? 'float' : 'int',
      low: p.low,
      high: p.high,
      ...(p.log ? { log: true } : {}),
      ...(p.step != null ? { step: p.step } : {}),
    };
  });
  try {
    validateSearchSpace(space);
  } catch (error) {
    if (error instanceof SearchSpaceError) {
      const index = inputs.findIndex((p) => error.path.split('.')[0] === p.name);
      throw new BadUserInputError(error.message, [
        {
          field:
            index >= 0
              ? `searchSpace[${index}]${error.path.includes('.') ? `.${error.path.split('.')[1]}` : ''}`
              : 'searchSpace',
          message: error.message,
        },
      ]);
    }
    throw error;
  }
  return space;
}

/** The objective's default direction. */
export function defaultDirection(metric: string): OptimizationDirection {
  return MINIMIZED.includes(metric) ? OptimizationDirection.MINIMIZE : OptimizationDirection.MAXIMIZE;
}

/** Checks the objective metric name. */
export function checkObjectiveMetric(metric: string): void {
  if (!METRICS.includes(metric))
    throw new BadUserInputError('Unknown objective metric', [
      { field: 'objectiveMetric', message: `one of ${METRICS.join(', ')}` },
    ]);
}

/** A trial's hyperparameters: the base ones overridden by the sampled ones. */
export function trialHyperparameters(base: Record<string, unknown>, params: Params): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(params)) {
    if (name === 'hiddenUnits' || name === 'hiddenLayerCount') continue;
    out[name] = value;
  }
  if (Object.hasOwn(params, 'hiddenUnits') || Object.hasOwn(params, 'hiddenLayerCount')) {
    const layers = Array.isArray(base.hiddenLayers) ? (base.hiddenLayers as number[]) : [32];
    const count = typeof params.hiddenLayerCount === 'number' ? params.hiddenLayerCount : layers.length;
    const width = typeof params.hiddenUnits === 'number' ? params.hiddenUnits : layers[0];
    out.hiddenLayers = Array.from({ length: count }, () => width);
  }
  return out;
}
