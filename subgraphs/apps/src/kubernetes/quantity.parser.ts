// Grammar of Kubernetes `resource.Quantity` (apimachinery/pkg/api/resource/quantity.go):
// <signedNumber><suffix>, suffix = binarySI (Ki..Ei) | decimalSI (n u m "" k M G T P E) | decimalExponent (e|E<signedNumber>).
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const MULTIPLIERS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * Parses a Kubernetes quantity such as `500m`, `1.5`, `512Mi` or `1e3`.
 * @returns the value in base units (cores, bytes), or `null` when the text is not a quantity.
 */
export function parseQuantity(text: string): number | null {
  const match = QUANTITY.exec(text.trim() === text ? text : '');
  if (!match) return null;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  const multiplier =
    suffix.startsWith('e') || suffix.startsWith('E') ? 10 ** Number(suffix.slice(1)) : MULTIPLIERS[suffix];
  if (multiplier === undefined) return null;
  const value = number * multiplier;
  return Number.isFinite(value) ? value : null;
}

/**
 * Formats a plain number as a quantity: whole numbers as they are, others in milli-units.
 * @returns a quantity string Kubernetes accepts (`4`, `2500m`).
 */
export function formatQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}
