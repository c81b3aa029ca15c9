/** First-order optimizers supported by the trainers. */
export type OptimizerName = 'sgd' | 'adam';

/** Updates parameters in place from their gradients. */
export interface Optimizer {
  step(params: Float64Array[], grads: Float64Array[]): void;
  /** A copy of the optimizer's state (step count and moment/velocity buffers), to resume from. */
  snapshot(): OptimizerState;
  /** Continues from a snapshot taken by an optimizer of the same kind on the same parameter shapes. */
  restore(state: OptimizerState): void;
}

/** What an optimizer carries from one step to the next: SGD `[velocity]`, Adam `[m, v]` and the step count. */
export interface OptimizerState {
  t: number;
  slots: Float64Array[][];
}

const copyAll = (arrays: Float64Array[] | undefined) => (arrays ?? []).map((a) => Float64Array.from(a));

/** Hyperparameters of {@link createOptimizer}. */
export interface OptimizerOptions {
  learningRate: number;
  /** Heavy-ball momentum for SGD. @default 0.9 */
  momentum?: number;
  /** Adam decay rates and epsilon. @default 0.9, 0.999, 1e-8 */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * SGD with momentum (v ← μv − ηg; θ ← θ + v) or Adam (Kingma & Ba 2015, bias-corrected moments).
 * State is allocated lazily to match the parameter shapes of the first step.
 */
export function createOptimizer(name: OptimizerName, options: OptimizerOptions): Optimizer {
  const { learningRate } = options;
  if (!(learningRate > 0)) throw new RangeError('learningRate must be positive');
  if (name === 'sgd') {
    const momentum = options.momentum ?? 0.9;
    let velocity: Float64Array[] | undefined;
    return {
      step(params, grads) {
        velocity ??= params.map((p) => new Float64Array(p.length));
        params.forEach((p, i) => {
          const v = (velocity as Float64Array[])[i]!;
          const g = grads[i]!;
          for (let j = 0; j < p.length; j++) {
            v[j] = momentum * v[j]! - learningRate * g[j]!;
            p[j]! += v[j]!;
          }
        });
      },
      snapshot: () => ({ t: 0, slots: velocity ? [copyAll(velocity)] : [] }),
      restore(state) {
        velocity = state.slots[0] ? copyAll(state.slots[0]) : undefined;
      },
    };
  }
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  let m: Float64Array[] | undefined;
  let v: Float64Array[] | undefined;
  let t = 0;
  return {
    step(params, grads) {
      m ??= params.map((p) => new Float64Array(p.length));
      v ??= params.map((p) => new Float64Array(p.length));
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      params.forEach((p, i) => {
        const mi = (m as Float64Array[])[i]!;
        const vi = (v as Float64Array[])[i]!;
        const g = grads[i]!;
        for (let j = 0; j < p.length; j++) {
          mi[j] = beta1 * mi[j]! + (1 - beta1) * g[j]!;
          vi[j] = beta2 * vi[j]! + (1 - beta2) * g[j]! * g[j]!;
          p[j]! -= (learningRate * (mi[j]! / c1)) / (Math.sqrt(vi[j]! / c2) + epsilon);
        }
      });
    },
    snapshot: () => ({ t, slots: m && v ? [copyAll(m), copyAll(v)] : [] }),
    restore(state) {
      t = state.t;
      m = state.slots[0] ? copyAll(state.slots[0]) : undefined;
      v = state.slots[1] ? copyAll(state.slots[1]) : undefined;
    },
  };
}
