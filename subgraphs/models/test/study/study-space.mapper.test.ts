import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '../../../../lib/src/index';
import { SearchParameterType } from '../../src/common/enums';
import { toSearchSpace } from '../../src/study/study-space.mapper';
import type { SearchParameterInput } from '../../src/study/study.input';

const PROTO_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
];
const param = (p: Partial<SearchParameterInput> & { name: string; type: SearchParameterType }): SearchParameterInput =>
  ({ log: false, ...p }) as SearchParameterInput;

/** The BAD_USER_INPUT `toSearchSpace` throws for a search space, with its message and fields. */
function refusal(inputs: SearchParameterInput[]) {
  try {
    toSearchSpace(inputs);
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    const e = err as BadUserInputError;
    return { message: e.message, fields: e.extensions.fields };
  }
  throw new Error('accepted');
}

describe("study search space: parameter names are the client's", () => {
  it('refuses an Object member as a name as the unknown hyperparameter it is, of every type, first or after a real one', () => {
    for (const name of PROTO_KEYS) {
      for (const type of [SearchParameterType.CATEGORICAL, SearchParameterType.FLOAT, SearchParameterType.INT]) {
        for (const choices of [undefined, [], ['RELU'], [1, 2]]) {
          const p = param({ name, type, choices, low: 0, high: 1 });
          const alone = refusal([p]);
          expect([name, type, alone.message], JSON.stringify(alone)).toEqual([
            name,
            type,
            type === SearchParameterType.CATEGORICAL
              ? 'Unknown hyperparameter'
              : 'Unknown hyperparameter for this type',
          ]);
          expect(alone.fields).toEqual([{ field: 'searchSpace[0].name', message: expect.any(String) }]);
          const second = refusal([
            param({ name: 'learningRate', type: SearchParameterType.FLOAT, low: 0.001, high: 0.1 }),
            p,
          ]);
          expect(second.fields).toEqual([{ field: 'searchSpace[1].name', message: expect.any(String) }]);
        }
      }
    }
  });

  it('still finds real duplicates and accepts the real parameters', () => {
    const lr = param({ name: 'learningRate', type: SearchParameterType.FLOAT, low: 0.001, high: 0.1 });
    expect(refusal([lr, lr])).toEqual({
      message: 'Duplicate parameter',
      fields: [{ field: 'searchSpace[1].name', message: 'learningRate appears twice' }],
    });
    expect(
      toSearchSpace([
        lr,
        param({ name: 'activation', type: SearchParameterType.CATEGORICAL, choices: ['RELU', 'TANH'] }),
      ]),
    ).toEqual({
      learningRate: { type: 'float', low: 0.001, high: 0.1 },
      activation: { type: 'categorical', choices: ['RELU', 'TANH'] },
    });
    expect(
      refusal([param({ name: 'activation', type: SearchParameterType.CATEGORICAL, choices: ['constructor'] })]).message,
    ).toBe('Invalid choice');
  });
});
