import { describe, expect, it } from 'vitest';
import { analyticGaussianSigma } from '../src/synthesizer/dp.mechanism';
import { synthesize } from '../src/synthesizer/synthesize';
import { vegaTable } from './datasets';

describe('differentially private copula', () => {
  const source = vegaTable('cars');

  async function shapes(epsilon: number | null, seed: number): Promise<number> {
    const result = await synthesize({
      source,
      synthesizer: epsilon === null ? 'GAUSSIAN_COPULA' : 'DP_GAUSSIAN_COPULA',
      epsilon,
      rows: 1000,
      seed,
    });
    if (epsilon !== null) {
      expect(result.model.dp?.epsilon).toBe(epsilon);
      expect(result.model.dp?.marginalEpsilonPerColumn).toBeCloseTo(epsilon / 2 / result.model.columns.length, 12);
    }
    return result.quality.columnShapes.score;
  }

  it('is measurably noisier on the marginals with a small epsilon', async () => {
    const seeds = [1, 2, 3];
    const mean = async (epsilon: number | null) =>
      (await Promise.all(seeds.map((s) => shapes(epsilon, s)))).reduce((a, b) => a + b) / seeds.length;
    const small = await mean(0.05);
    const large = await mean(50);
    const none = await mean(null);
    expect(small).toBeLessThan(large - 0.05);
    expect(large).toBeLessThan(none + 0.02);
  });

  it('records where bounds came from the data and the noise scale', async () => {
    const result = await synthesize({
      source,
      synthesizer: 'DP_GAUSSIAN_COPULA',
      epsilon: 1,
      delta: 1e-5,
      rows: 50,
      seed: 4,
      constraints: [{ column: 'Horsepower', min: 0, max: 300 }],
    });
    expect(result.model.dp?.boundsFromData).not.toContain('Horsepower');
    expect(result.model.dp?.boundsFromData).toContain('Weight_in_lbs');
    expect(result.model.dp?.correlationNoiseSigma).toBeGreaterThan(0);
  });

  it('calibrates the analytic Gaussian mechanism below the classical bound', () => {
    const classical = Math.sqrt(2 * Math.log(1.25 / 1e-5)) / 0.5;
    const sigma = analyticGaussianSigma(1, 0.5, 1e-5);
    expect(sigma).toBeLessThan(classical);
    expect(sigma).toBeGreaterThan(classical / 3);
  });
});
