import zlib from 'node:zlib';
import { decode as decodeJpegBytes } from 'jpeg-js';

/** An image as 8-bit samples, row-major, `channels` per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

/** Mono audio in [-1, 1] at its own sample rate. */
export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** A file a decoder cannot take; the message says why. */
export class MediaFormatError extends Error {}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The largest image decoded (pixels): 64 megapixels. */
const MAX_PIXELS = 64 * 1024 * 1024;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export function isWav(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 12));
  return b.length === 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE';
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes a baseline or progressive JPEG (jpeg-js) to 8-bit RGB, within the same pixel cap as PNG.
 * @throws MediaFormatError
 */
export function decodeJpeg(bytes: Uint8Array): DecodedImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpegBytes(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PIXELS / (1024 * 1024),
      maxMemoryUsageInMB: 1024,
    });
  } catch (error) {
    throw new MediaFormatError(`is a damaged JPEG image (${(error as Error).message ?? String(error)})`);
  }
  const { width, height, data } = decoded;
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(data.subarray(i * 4, i * 4 + 3), i * 3);
  return { width, height, channels: 3, pixels };
}

/**
 * Decodes a PNG (gray, gray+alpha, RGB, RGBA at 8 or 16 bits, palette at 8 bits; not interlaced) to
 * 8-bit samples; a palette image becomes RGB (RGBA with a tRNS chunk), 16-bit samples keep their high byte.
 * @throws MediaFormatError
 */
export function decodePng(bytes: Uint8Array): DecodedImage {
  if (!isPng(bytes)) throw new MediaFormatError('not a PNG file');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: { width: number; height: number; depth: number; color: number; interlace: number } | null = null;
  let palette: Buffer | null = null;
  let alpha: Buffer | null = null;
  const idat: Buffer[] = [];
  while (at + 8 <= buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw new MediaFormatError(`PNG chunk ${type} is truncated`);
    if (type === 'IHDR')
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        depth: body[8]!,
        color: body[9]!,
        interlace: body[12]!,
      };
    else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') alpha = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header) throw new MediaFormatError('PNG has no IHDR chunk');
  const { width, height, depth, color, interlace } = header;
  if (interlace !== 0) throw new MediaFormatError('interlaced PNG is not supported: save it without interlacing');
  if (width === 0 || height === 0 || width * height > MAX_PIXELS)
    throw new MediaFormatError(`PNG of ${width}×${height} pixels is empty or larger than 64 megapixels`);
  const samplesPerPixel = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[color];
  if (samplesPerPixel === undefined) throw new MediaFormatError(`PNG color type ${color} is not valid`);
  if (!(depth === 8 || (depth === 16 && color !== 3)))
    throw new MediaFormatError(`PNG bit depth ${depth} (color type ${color}) is not supported: use 8 or 16 bits`);
  const bytesPerSample = depth / 8;
  const bpp = samplesPerPixel * bytesPerSample;
  const stride = width * bpp;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height });
  } catch (error) {
    throw new MediaFormatError(`PNG image data does not inflate: ${(error as Error).message}`);
  }
  if (raw.length < (stride + 1) * height) throw new MediaFormatError('PNG image data is truncated');
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? data[out + x - bpp]! : 0;
      const b = y > 0 ? data[out - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? data[out - stride + x - bpp]! : 0;
      const v = line[x]!;
      let r: number;
      if (filter === 0) r = v;
      else if (filter === 1) r = v + a;
      else if (filter === 2) r = v + b;
      else if (filter === 3) r = v + ((a + b) >> 1);
      else if (filter === 4) r = v + paeth(a, b, c);
      else throw new MediaFormatError(`PNG row ${y} has filter type ${filter}`);
      data[out + x] = r & 0xff;
    }
  }
  if (color === 3) {
    if (!palette) throw new MediaFormatError('PNG palette image has no PLTE chunk');
    const channels = alpha ? 4 : 3;
    const pixels = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      const p = data[i]!;
      if (p * 3 + 2 >= palette.length)
        throw new MediaFormatError(`PNG pixel uses palette entry ${p}, beyond the palette`);
      pixels.set(palette.subarray(p * 3, p * 3 + 3), i * channels);
      if (alpha) pixels[i * channels + 3] = p < alpha.length ? alpha[p]! : 255;
    }
    return { width, height, channels, pixels };
  }
  if (depth === 16) {
    const pixels = new Uint8Array(width * height * samplesPerPixel);
    for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * 2]!;
    return { width, height, channels: samplesPerPixel, pixels };
  }
  return { width, height, channels: samplesPerPixel, pixels: data };
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit integers or 32/64-bit floats, WAVE_FORMAT_EXTENSIBLE too)
 * to mono samples in [-1, 1]: channels are averaged.
 * @throws MediaFormatError
 */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  if (!isWav(bytes)) throw new MediaFormatError('not a WAV file');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  let format: { code: number; channels: number; sampleRate: number; bits: number } | null = null;
  while (at + 8 <= buf.length) {
    const id = buf.toString('latin1', at, at + 4);
    // A streamed WAV may claim more bytes than it holds: read what is there.
    const size = Math.min(buf.readUInt32LE(at + 4), buf.length - at - 8);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new MediaFormatError('WAV fmt chunk is too short');
      let code = buf.readUInt16LE(body);
      if (code === 0xfffe && size >= 26) code = buf.readUInt16LE(body + 24);
      format = {
        code,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new MediaFormatError('WAV data comes before its fmt chunk');
      const { code, channels, sampleRate, bits } = format;
      const width = bits / 8;
      const read =
        code === 1 && bits === 8
          ? (o: number) => (buf[o]! - 128) / 128
          : code === 1 && bits === 16
            ? (o: number) => buf.readInt16LE(o) / 32768
            : code === 1 && bits === 24
              ? (o: number) => buf.readIntLE(o, 3) / 8388608
              : code === 1 && bits === 32
                ? (o: number) => buf.readInt32LE(o) / 2147483648
                : code === 3 && bits === 32
                  ? (o: number) => buf.readFloatLE(o)
                  : code === 3 && bits === 64
                    ? (o: number) => buf.readDoubleLE(o)
                    : null;
      if (!read || channels < 1 || sampleRate < 1)
        throw new MediaFormatError(
          `WAV format ${code} with ${bits}-bit samples is not supported: use PCM (8/16/24/32-bit) or IEEE float`,
        );
      const frames = Math.floor(size / (width * channels));
      const samples = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += read(body + (f * channels + c) * width);
        samples[f] = sum / channels;
      }
      return { samples, sampleRate };
    }
    at = body + size + (size % 2);
  }
  throw new MediaFormatError('WAV has no data chunk');
}

/** Linear-interpolation resampling from one sample rate to another. */
export function resampleLinear(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const out = new Float32Array(Math.max(0, Math.floor((samples.length * to) / from)));
  const step = from / to;
  for (let i = 0; i < out.length; i++) {
    const pos = i * step;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, samples.length - 1);
    const t = pos - lo;
    out[i] = samples[lo]! * (1 - t) + samples[hi]! * t;
  }
  return out;
}

/**
 * Bilinear resize with half-pixel centres (as torchvision and OpenCV's INTER_LINEAR do), per channel.
 * @returns `height`×`width`×`channels` samples, row-major, as floats in the source's range
 */
export function resizeBilinear(image: DecodedImage, width: number, height: number): Float32Array {
  const { width: sw, height: sh, channels: c, pixels } = image;
  const out = new Float32Array(width * height * c);
  if (sw === width && sh === height) {
    out.set(pixels);
    return out;
  }
  const sx = sw / width;
  const sy = sh / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const tx = fx - x0;
      for (let k = 0; k < c; k++) {
        const p = (yy: number, xx: number) => pixels[(yy * sw + xx) * c + k]!;
        const top = p(y0, x0) * (1 - tx) + p(y0, x1) * tx;
        const bottom = p(y1, x0) * (1 - tx) + p(y1, x1) * tx;
        out[(y * width + x) * c + k] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}
