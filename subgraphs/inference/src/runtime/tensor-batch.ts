import type { DecodedTensor } from './tensor.codec';
import { allocateStorage, elementCount, type TensorStorage } from './tensor-datatype';

type Sliceable = Exclude<TensorStorage, string[]>;

function copyRange(from: TensorStorage, start: number, end: number, to: TensorStorage, at: number): void {
  if (Array.isArray(from)) {
    const dst = to as string[];
    for (let i = start; i < end; i++) dst[at + i - start]! = from[i]!;
  } else {
    (to as Sliceable).set((from as Sliceable).subarray(start, end) as never, at);
  }
}

function outerInner(shape: readonly number[], axis: number): [number, number] {
  return [elementCount(shape.slice(0, axis)), elementCount(shape.slice(axis + 1))];
}

/** Joins tensors along `axis` (all other dimensions equal), row-major. */
export function concatTensors(parts: readonly DecodedTensor[], axis: number): DecodedTensor {
  const first = parts[0]!;
  const total = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  const shape = [...first.shape];
  shape[axis] = total;
  const [outer, inner] = outerInner(first.shape, axis);
  const data = allocateStorage(first.datatype, outer * total * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = p.shape[axis]! * inner;
      copyRange(p.data, o * chunk, (o + 1) * chunk, data, at);
      at += chunk;
    }
  }
  return { name: first.name, datatype: first.datatype, shape, data };
}

/** Splits a tensor along `axis` into pieces of the given sizes (the inverse of concatTensors). */
export function splitTensor(tensor: DecodedTensor, axis: number, sizes: readonly number[]): DecodedTensor[] {
  const [outer, inner] = outerInner(tensor.shape, axis);
  const total = tensor.shape[axis]!;
  const pieces = sizes.map((size) => {
    const shape = [...tensor.shape];
    shape[axis] = size;
    return {
      name: tensor.name,
      datatype: tensor.datatype,
      shape,
      data: allocateStorage(tensor.datatype, outer * size * inner),
    };
  });
  for (let o = 0; o < outer; o++) {
    let from = o * total * inner;
    sizes.forEach((size, i) => {
      const chunk = size * inner;
      copyRange(tensor.data, from, from + chunk, pieces[i]!.data, o * chunk);
      from += chunk;
    });
  }
  return pieces;
}
