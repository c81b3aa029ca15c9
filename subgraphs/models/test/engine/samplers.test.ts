import { describe, expect, test } from 'vitest';
import { GridSampler } from '../../src/engine/hpo/grid.sampler';
import { RandomSampler } from '../../src/engine/hpo/random.sampler';
import type { SearchSpace } from '../../src/engine/hpo/search-space';
import { SearchSpaceError, validateSearchSpace } from '../../src/engine/hpo/search-space';
import { StudyEngine } from '../../src/engine/hpo/study.engine';
import { TpeSampler } from '../../src/engine/hpo/tpe.sampler';

const space: SearchSpace = {
  learningRate: { type: 'float', low: 1e-4, high: 1, log: true },
  units: { type: 'int', low: 4, high: 64, step: 4 },
  activation: { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] },
};

describe('search space and samplers', () => {
  test('invalid spaces name the offending parameter', () => {
    expect(() => validateSearchSpace({ lr: { type: 'float', low: 0, high: 1, log: true } })).toThrow(SearchSpaceError);
    expect(() => validateSearchSpace({ n: { type: 'int', low: 1, high: 10, step: 4 } })).toThrow(/step/);
    expect(() => validateSearchSpace({ a: { type: 'categorical', choices: [] } })).toThrow(
      expect.objectContaining({ path: 'a.choices' }),
    );
  });

  test('random sampling respects bounds, steps and log scale', () => {
    const sampler = new RandomSampler(7);
    const samples = Array.from({ length: 2000 }, () => sampler.sample(space));
    for (const s of samples) {
      expect(s.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(s.learningRate).toBeLessThanOrEqual(1);
      expect((s.units as number) % 4).toBe(0);
      expect(['relu', 'tanh', 'sigmoid']).toContain(s.activation);
    }
    // Log-uniform on [1e-4, 1]: half the mass lies below 1e-2.
    const below = samples.filter((s) => (s.learningRate as number) < 1e-2).length / samples.length;
    expect(below).toBeGreaterThan(0.45);
    expect(below).toBeLessThan(0.55);
    expect(new Set(samples.map((s) => s.units)).size).toBe(16);
    expect(new RandomSampler(7).sample(space)).toEqual(samples[0]);
  });

  test('grid sampling enumerates the product once, then is exhausted', async () => {
    const gridSpace: SearchSpace = {
      x: { type: 'int', low: 0, high: 2 },
      y: { type: 'categorical', choices: ['a', 'b'] },
      z: { type: 'float', low: 1, high: 100, log: true },
    };
    const sampler = new GridSampler(3);
    expect(sampler.size(gridSpace)).toBe(18);
    const study = new StudyEngine(gridSpace, 'minimize', sampler);
    await study.optimize({ nTrials: 100, concurrency: 4, objective: async (t) => t.params.x as number });
    expect(study.trials).toHaveLength(18);
    expect(new Set(study.trials.map((t) => JSON.stringify(t.params))).size).toBe(18);
    expect(study.trials.map((t) => t.params.z)).toContain(10);
  });

  test('TPE concentrates where the objective is good and beats random search on the same budget', async () => {
    const objective = async (t: { params: Record<string, unknown> }) => {
      const lr = Math.log10(t.params.learningRate as number);
      return (lr + 2) ** 2 + ((t.params.units as number) - 32) ** 2 / 256 + (t.params.activation === 'tanh' ? 0 : 1);
    };
    const tpe = new StudyEngine(space, 'minimize', new TpeSampler({ seed: 3 }));
    await tpe.optimize({ nTrials: 60, objective });
    const random = new StudyEngine(space, 'minimize', new RandomSampler(3));
    await random.optimize({ nTrials: 60, objective });
    expect(tpe.best()?.value as number).toBeLessThan(random.best()?.value as number);
    const lateTanh = tpe.trials.slice(30).filter((t) => t.params.activation === 'tanh').length;
    expect(lateTanh).toBeGreaterThan(20);
  });

  test('parallel trials never exceed the concurrency bound', async () => {
    let running = 0;
    let peak = 0;
    const study = new StudyEngine(space, 'minimize', new RandomSampler(1));
    await study.optimize({
      nTrials: 12,
      concurrency: 3,
      objective: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return 1;
      },
    });
    expect(peak).toBe(3);
    expect(study.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
  });
});
