import type { Dim, ModelSignature, TensorSpec } from './model-signature';
import { TensorValidationError, type FieldIssue } from './runtime.errors';
import { decodeTensorData, type DecodedTensor, type WireTensor } from './tensor.codec';
import { isOipDatatype } from './tensor-datatype';

function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

function checkShape(
  wire: WireTensor,
  spec: TensorSpec,
  path: string,
  symbols: Map<string, { size: number; where: string }>,
  issues: FieldIssue[],
): boolean {
  const shape: unknown = wire.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    issues.push({ field: `${path}.shape`, message: 'must be a list of non-negative integers' });
    return false;
  }
  // A scalar input also accepts shape [1]: clients (and onnxruntime itself) treat the two alike.
  if (spec.shape.length === 0 && (shape.length === 0 || (shape.length === 1 && shape[0] === 1))) return true;
  if (shape.length !== spec.shape.length) {
    issues.push({
      field: `${path}.shape`,
      message: `has rank ${shape.length}, "${spec.name}" expects rank ${spec.shape.length} ${formatShape(spec.shape)}`,
    });
    return false;
  }
  let ok = true;
  spec.shape.forEach((dim, axis) => {
    const size = shape[axis] as number;
    if (typeof dim === 'number' && size !== dim) {
      issues.push({
        field: `${path}.shape[${axis}]`,
        message: `is ${size}, "${spec.name}" expects ${dim} ${formatShape(spec.shape)}`,
      });
      ok = false;
    } else if (typeof dim === 'string') {
      const seen = symbols.get(dim);
      if (!seen) symbols.set(dim, { size, where: `${path}.shape[${axis}]` });
      else if (seen.size !== size) {
        issues.push({
          field: `${path}.shape[${axis}]`,
          message: `is ${size}, but dimension "${dim}" is ${seen.size} at ${seen.where}`,
        });
        ok = false;
      }
    }
  });
  return ok;
}

/**
 * Checks request tensors against a signature (names, datatypes, shapes with symbolic dimensions
 * consistent across inputs, data length) and decodes them, in the signature's input order.
 * @throws TensorValidationError listing every problem found
 */
export function decodeInputs(wires: readonly WireTensor[], signature: ModelSignature): DecodedTensor[] {
  const issues: FieldIssue[] = [];
  const specs = new Map(signature.inputs.map((s) => [s.name, s]));
  const byName = new Map<string, DecodedTensor>();
  const symbols = new Map<string, { size: number; where: string }>();
  if (!Array.isArray(wires))
    throw new TensorValidationError([{ field: 'inputs', message: 'must be a list of tensors' }]);
  wires.forEach((wire, i) => {
    const path = `inputs[${i}]`;
    const spec = specs.get(wire?.name);
    if (!spec) {
      issues.push({
        field: `${path}.name`,
        message: `unknown input ${JSON.stringify(wire?.name)}; the model takes ${signature.inputs.map((s) => `"${s.name}"`).join(', ')}`,
      });
      return;
    }
    if (byName.has(spec.name)) {
      issues.push({ field: `${path}.name`, message: `input "${spec.name}" is given more than once` });
      return;
    }
    if (typeof wire.datatype !== 'string' || !isOipDatatype(wire.datatype)) {
      issues.push({
        field: `${path}.datatype`,
        message: `${JSON.stringify(wire.datatype)} is not an inference protocol datatype`,
      });
      return;
    }
    if (wire.datatype !== spec.datatype) {
      issues.push({
        field: `${path}.datatype`,
        message: `is ${wire.datatype}, "${spec.name}" expects ${spec.datatype}`,
      });
      return;
    }
    if (!checkShape(wire, spec, path, symbols, issues)) return;
    const decoded = decodeTensorData(wire, spec.datatype, path, issues);
    if (decoded) byName.set(spec.name, spec.shape.length === 0 ? { ...decoded, shape: [] } : decoded);
  });
  const given = new Set(wires.map((w) => w?.name));
  for (const spec of signature.inputs) {
    if (!given.has(spec.name)) {
      issues.push({
        field: 'inputs',
        message: `missing input "${spec.name}" (${spec.datatype} ${formatShape(spec.shape)})`,
      });
    }
  }
  if (issues.length > 0) throw new TensorValidationError(issues);
  return signature.inputs.map((s) => byName.get(s.name) as DecodedTensor);
}
