import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Why espeak-ng cannot run here, or undefined when it can. */
export function espeakUnavailable(): string | undefined {
  const probe = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  if (probe.error)
    return `espeak-ng is not installed (${probe.error.message}); install it with apt-get install -y espeak-ng`;
  return probe.status === 0 ? undefined : `espeak-ng --version exited with ${probe.status}`;
}

/** Speaks `text` with espeak-ng into a WAV file and returns its bytes. */
export function synthesizeSpeechWav(text: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-inference-wav-'));
  const file = path.join(dir, 'speech.wav');
  try {
    const run = spawnSync('espeak-ng', ['-w', file, text], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`espeak-ng failed: ${run.stderr}`);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Mono samples in [-1, 1] and the sample rate of a 16-bit PCM WAV file. */
export function decodePcm16Wav(wav: Buffer): { samples: Float32Array; sampleRate: number } {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a WAV file');
  let offset = 12;
  let sampleRate = 0;
  let channels = 1;
  let bits = 16;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    // A truncated or streamed WAV may claim more bytes than it holds: read what is there.
    const size = Math.min(wav.readUInt32LE(offset + 4), wav.length - offset - 8);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(body + 2);
      sampleRate = wav.readUInt32LE(body + 4);
      bits = wav.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`expected 16-bit PCM, got ${bits}-bit`);
      const frames = Math.floor(size / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = wav.readInt16LE(body + i * 2 * channels) / 32768;
      return { samples, sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Linear-interpolation resampling (enough for voice activity detection). */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const out = new Float32Array(Math.floor((samples.length * to) / from));
  for (let i = 0; i < out.length; i++) {
    const x = (i * from) / to;
    const j = Math.floor(x);
    const frac = x - j;
    out[i] = samples[j]! * (1 - frac) + (samples[Math.min(j + 1, samples.length - 1)] ?? 0) * frac;
  }
  return out;
}
