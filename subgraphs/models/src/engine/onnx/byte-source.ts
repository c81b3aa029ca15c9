import { open } from 'node:fs/promises';

/** Random-access bytes: a file read piecewise or a buffer already in memory. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Wraps bytes already in memory. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    close: async () => undefined,
  };
}

/**
 * Opens a file for piecewise reads through a one-chunk cache, so that walking the small header
 * messages of a large model file never loads its weights.
 */
export async function fileSource(path: string, chunkSize = 64 * 1024): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  let chunkStart = -1;
  let chunk = new Uint8Array(0);
  return {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      if (offset >= chunkStart && end <= chunkStart + chunk.length)
        return chunk.subarray(offset - chunkStart, end - chunkStart);
      if (end - offset > chunkSize) {
        const big = new Uint8Array(end - offset);
        await handle.read(big, 0, big.length, offset);
        return big;
      }
      chunk = new Uint8Array(Math.min(chunkSize, size - offset));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      chunk = chunk.subarray(0, bytesRead);
      chunkStart = offset;
      return chunk.subarray(0, end - offset);
    },
    close: () => handle.close(),
  };
}
