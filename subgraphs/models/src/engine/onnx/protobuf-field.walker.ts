import type { ByteSource } from './byte-source';

/** The bytes are not a well-formed protobuf message. */
export class ProtobufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufFormatError';
  }
}

/** One field of a message: scalars carry `value`; length-delimited fields carry their byte range. */
export interface ProtobufField {
  field: number;
  wireType: 0 | 1 | 2 | 5;
  value: number;
  start: number;
  end: number;
}

async function readVarint(source: ByteSource, offset: number, limit: number): Promise<{ value: number; next: number }> {
  const bytes = await source.read(offset, Math.min(10, limit - offset));
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  throw new ProtobufFormatError(`truncated varint at byte ${offset}`);
}

/**
 * Walks the fields of the message stored in [start, end) of `source` without decoding nested
 * messages (their byte range is returned instead). Varints above 2^53 lose precision, which is
 * harmless for the sizes and versions read here.
 * @throws ProtobufFormatError on a malformed or truncated message
 */
export async function* walkFields(source: ByteSource, start: number, end: number): AsyncGenerator<ProtobufField> {
  let offset = start;
  while (offset < end) {
    const tag = await readVarint(source, offset, end);
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (field === 0) throw new ProtobufFormatError(`field number 0 at byte ${offset}`);
    offset = tag.next;
    if (wireType === 0) {
      const v = await readVarint(source, offset, end);
      yield { field, wireType, value: v.value, start: offset, end: v.next };
      offset = v.next;
    } else if (wireType === 1 || wireType === 5) {
      const width = wireType === 1 ? 8 : 4;
      if (offset + width > end) throw new ProtobufFormatError(`truncated fixed field ${field} at byte ${offset}`);
      yield { field, wireType, value: 0, start: offset, end: offset + width };
      offset += width;
    } else if (wireType === 2) {
      const length = await readVarint(source, offset, end);
      const valueEnd = length.next + length.value;
      if (valueEnd > end)
        throw new ProtobufFormatError(`field ${field} at byte ${offset} runs past the end of its message`);
      yield { field, wireType, value: length.value, start: length.next, end: valueEnd };
      offset = valueEnd;
    } else {
      throw new ProtobufFormatError(`unsupported wire type ${wireType} for field ${field} at byte ${offset}`);
    }
  }
  if (offset !== end) throw new ProtobufFormatError('message ends inside a field');
}
