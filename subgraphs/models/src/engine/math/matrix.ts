/** A dense row-major matrix of float64 values. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Allocates a zero matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { data: new Float64Array(rows * cols), rows, cols };
}

/** Builds a matrix from nested arrays (all rows must have the same length). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length === 0 ? 0 : rows[0]!.length;
  const out = zeros(rows.length, cols);
  rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`row ${r} has ${row.length} values, expected ${cols}`);
    out.data.set(row, r * cols);
  });
  return out;
}

/** Copies the given rows (by index) into a new matrix. */
export function takeRows(matrix: Matrix, indices: ArrayLike<number>): Matrix {
  const out = zeros(indices.length, matrix.cols);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]! * matrix.cols;
    out.data.set(matrix.data.subarray(start, start + matrix.cols), i * matrix.cols);
  }
  return out;
}

/**
 * out[rows × outCols] = a[rows × inner] · b[inner × outCols] + bias (broadcast per row).
 * The loop order (i, k, j) walks b row by row, which keeps the inner loop contiguous.
 */
export function matMulAddBias(
  a: Float64Array,
  rows: number,
  inner: number,
  b: Float64Array,
  outCols: number,
  bias: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const rowOut = i * outCols;
    for (let j = 0; j < outCols; j++) out[rowOut + j]! = bias[j]!;
    const rowA = i * inner;
    for (let k = 0; k < inner; k++) {
      const aik = a[rowA + k]!;
      if (aik === 0) continue;
      const rowB = k * outCols;
      for (let j = 0; j < outCols; j++) out[rowOut + j]! += aik * b[rowB + j]!;
    }
  }
}

/**
 * Solves the symmetric positive definite system A x = b in place by Cholesky decomposition.
 * @returns x
 */
export function solveCholesky(a: Float64Array, n: number, b: Float64Array): Float64Array {
  if (a.length !== n * n || b.length !== n)
    throw new RangeError(`solveCholesky needs an ${n}×${n} matrix and ${n} values (got ${a.length} and ${b.length})`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (sum <= 0) throw new RangeError('matrix is not positive definite (collinear or constant features)');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}
