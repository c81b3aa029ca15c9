import zlib from 'node:zlib';

/** One file of an archive. */
export interface ArchiveMember {
  name: string;
  bytes: Uint8Array;
}

/** An archive this reader cannot take; the message says why. */
export class ArchiveFormatError extends Error {}

/** The largest member an archive may unpack to (a guard against zip bombs). */
const MAX_MEMBER_BYTES = 512 * 1024 * 1024;

/** True for a ZIP file (a local file header, or the end record of an empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

/** True for a POSIX (ustar) TAR file. */
export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 512 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** Folders, macOS resource forks and hidden files are no records. */
function isRecordFile(name: string): boolean {
  if (name.endsWith('/') || name.startsWith('__MACOSX/')) return false;
  return !(name.split('/').pop() ?? '').startsWith('.');
}

/**
 * The files of a ZIP archive in central-directory order (stored and deflated members; no ZIP64, no
 * encryption), without folders and hidden files.
 * @throws ArchiveFormatError
 */
export function readZip(bytes: Uint8Array): ArchiveMember[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  if (end < 0) throw new ArchiveFormatError('ZIP archive has no central directory (truncated?)');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ArchiveFormatError('ZIP64 archives are not supported');
  const members: ArchiveMember[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50)
      throw new ArchiveFormatError('ZIP central directory is damaged');
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (!isRecordFile(name)) continue;
    if (flags & 1) throw new ArchiveFormatError(`ZIP member ${name} is encrypted`);
    if (size > MAX_MEMBER_BYTES) throw new ArchiveFormatError(`ZIP member ${name} unpacks to more than 512 MiB`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50)
      throw new ArchiveFormatError(`ZIP member ${name} has no local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw new ArchiveFormatError(`ZIP member ${name} is truncated`);
    const raw = buf.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
      } catch (error) {
        throw new ArchiveFormatError(`ZIP member ${name} does not inflate: ${(error as Error).message}`);
      }
    } else
      throw new ArchiveFormatError(`ZIP member ${name} uses compression method ${method} (only stored and deflate)`);
    if (data.length !== size) throw new ArchiveFormatError(`ZIP member ${name} is ${data.length} bytes, not ${size}`);
    members.push({ name, bytes: data });
  }
  return members;
}

/**
 * The regular files of a (ustar or GNU) TAR archive in archive order, without folders and hidden files.
 * @throws ArchiveFormatError
 */
export function readTar(bytes: Uint8Array): ArchiveMember[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const members: ArchiveMember[] = [];
  let at = 0;
  let longName: string | null = null;
  const text = (from: number, length: number) => buf.toString('utf8', from, from + length).replace(/\0.*$/s, '');
  while (at + 512 <= buf.length) {
    if (buf.subarray(at, at + 512).every((b) => b === 0)) break;
    const sizeText = text(at + 124, 12).trim();
    const size = Number.parseInt(sizeText || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveFormatError('TAR header has no valid size');
    const type = String.fromCharCode(buf[at + 156] ?? 0);
    const prefix = text(at + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(at, 100)}` : text(at, 100));
    const start = at + 512;
    if (start + size > buf.length) throw new ArchiveFormatError(`TAR member ${name} is truncated`);
    const data = buf.subarray(start, start + size);
    longName = null;
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && isRecordFile(name)) members.push({ name, bytes: data });
    at = start + Math.ceil(size / 512) * 512;
  }
  return members;
}
