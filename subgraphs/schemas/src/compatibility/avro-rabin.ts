const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

function buildTable(): bigint[] {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
    table.push(fp & MASK);
  }
  return table;
}

/**
 * The Avro specification's 64-bit Rabin fingerprint (CRC-64-AVRO) of a Parsing Canonical Form,
 * as 16 lower-case hex digits of the unsigned value (Java's `SchemaNormalization.parsingFingerprint64`).
 */
export function avroRabinFingerprint(canonicalForm: string): string {
  const table = buildTable();
  let fp = EMPTY;
  for (const byte of Buffer.from(canonicalForm, 'utf8')) fp = (fp >> 8n) ^ table[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  return (fp & MASK).toString(16).padStart(16, '0');
}
