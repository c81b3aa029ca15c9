import type { EpochProgress, TrainingCheckpoint } from '../engine/training/training-hooks';

/**
 * A training job's checkpoint as stored on its job claim (JSON): the last finished epoch with the
 * network's parameters and the optimizer's state, each Float64Array as the base64 of its bytes so a
 * resumed run continues from exactly the same numbers.
 */
export interface StoredTrainingCheckpoint {
  epoch: number;
  params: string[];
  optimizer: { t: number; slots: string[][] };
  last: EpochProgress;
}

const encode = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function decode(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function storeCheckpoint(c: TrainingCheckpoint): StoredTrainingCheckpoint {
  return {
    epoch: c.epoch,
    params: c.params.map(encode),
    optimizer: { t: c.optimizer.t, slots: c.optimizer.slots.map((slot) => slot.map(encode)) },
    last: c.last,
  };
}

/** @returns the checkpoint, or undefined when `stored` is missing or not one of ours */
export function loadCheckpoint(stored: unknown): TrainingCheckpoint | undefined {
  const s = stored as StoredTrainingCheckpoint | undefined;
  if (!s || typeof s.epoch !== 'number' || !Array.isArray(s.params) || !s.optimizer || !s.last) return undefined;
  return {
    epoch: s.epoch,
    params: s.params.map(decode),
    optimizer: { t: s.optimizer.t, slots: s.optimizer.slots.map((slot) => slot.map(decode)) },
    last: s.last,
  };
}
