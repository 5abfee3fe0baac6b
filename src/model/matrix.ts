/**
 * A dense row-major matrix over a typed array: N×C probabilities, N×D embeddings, C×D weights. Plain data
 * so that scores and models stay small pure functions over typed arrays.
 */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly rows: number;
  readonly cols: number;
  /** rows*cols values, row i at [i*cols, (i+1)*cols). */
  readonly data: T;
}

export function createMatrix(rows: number, cols: number): Matrix<Float64Array> {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Wraps nested arrays (tests, small inputs) as a Float64 matrix; every row must have the same length. */
export function matrixFromRows(rowsOfValues: ReadonlyArray<ArrayLike<number>>): Matrix<Float64Array> {
  const rows = rowsOfValues.length;
  const cols = rows === 0 ? 0 : rowsOfValues[0]!.length;
  const out = createMatrix(rows, cols);
  rowsOfValues.forEach((values, i) => {
    if (values.length !== cols) throw new RangeError(`row ${i} has ${values.length} values, expected ${cols}`);
    out.data.set(Array.from(values), i * cols);
  });
  return out;
}

/** A view (no copy) of row i. */
export function rowOf<T extends Float32Array | Float64Array>(m: Matrix<T>, i: number): T {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols) as T;
}

/** Stacks equal-length vectors into one Float32 matrix (a copy), e.g. stored embeddings for a model. */
export function stackRows(vectors: ReadonlyArray<ArrayLike<number>>, cols: number): Matrix<Float32Array> {
  const data = new Float32Array(vectors.length * cols);
  vectors.forEach((vector, i) => {
    if (vector.length !== cols) throw new RangeError(`vector ${i} has ${vector.length} values, expected ${cols}`);
    data.set(vector, i * cols);
  });
  return { rows: vectors.length, cols, data };
}

/**
 * Each row's largest value and its column (the first one on ties): a classifier's prediction and its
 * probability from a matrix of class probabilities.
 */
export function rowMaxima(m: Matrix): { index: Int32Array; value: Float64Array } {
  const { rows, cols, data } = m;
  const index = new Int32Array(rows);
  const value = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let best = 0;
    for (let k = 1; k < cols; k++) if (data[start + k]! > data[start + best]!) best = k;
    index[i] = best;
    value[i] = data[start + best]!;
  }
  return { index, value };
}
