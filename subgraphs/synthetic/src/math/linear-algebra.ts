/** A dense square matrix as rows. */
export type Matrix = number[][];

/** The d×d identity matrix. */
export function identity(d: number): Matrix {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
}

function assertSquare(matrix: Matrix): void {
  if (matrix.some((row) => row.length !== matrix.length)) throw new RangeError('the matrix is not square');
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * @returns eigenvalues and the matrix whose columns are the eigenvectors.
 */
export function symmetricEigen(matrix: Matrix): { values: number[]; vectors: Matrix } {
  assertSquare(matrix);
  const d = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v = identity(d);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p]![q]! * a[p]![q]!;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v };
}

/**
 * The nearest valid correlation matrix in the eigenvalue-clipping sense: negative eigenvalues
 * raised to `floor`, then rescaled to a unit diagonal. Pairwise-complete and noised estimates
 * need this before a Cholesky factorisation.
 */
export function nearestCorrelation(matrix: Matrix, floor = 1e-6): Matrix {
  const d = matrix.length;
  const { values, vectors } = symmetricEigen(matrix);
  const clipped = values.map((value) => Math.max(value, floor));
  const out: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += vectors[i]![k]! * clipped[k]! * vectors[j]![k]!;
      out[i]![j] = sum;
    }
  }
  const scale = out.map((row, i) => Math.sqrt(row[i]!));
  return out.map((row, i) => row.map((value, j) => (i === j ? 1 : value / (scale[i]! * scale[j]!))));
}

/**
 * Lower-triangular Cholesky factor L with L·Lᵀ = matrix.
 * @throws Error when the matrix is not positive definite.
 */
export function cholesky(matrix: Matrix): Matrix {
  assertSquare(matrix);
  const d = matrix.length;
  const l: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (sum <= 0) throw new Error('matrix is not positive definite');
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  return l;
}
