import fs from 'node:fs';
import path from 'node:path';

/** Execution providers the service can ask onnxruntime for, in order of preference. */
export const EXECUTION_PROVIDERS = ['cuda', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** True when `value` names a supported execution provider. */
export function isExecutionProvider(value: string): value is ExecutionProvider {
  return (EXECUTION_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Why onnxruntime-node cannot use CUDA on this machine, or undefined when its CUDA provider library
 * is installed. Installs with `ONNXRUNTIME_NODE_INSTALL=skip` keep only the CPU runtime, and asking
 * onnxruntime for CUDA then fails inside native code with a less helpful message.
 */
export function probeCudaUnavailable(): string | undefined {
  if (process.platform !== 'linux' && process.platform !== 'win32')
    return `CUDA is not supported on ${process.platform}`;
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const binDir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (!fs.existsSync(path.join(binDir, lib))) {
    return `the CUDA execution provider library (${lib}) is not installed with onnxruntime-node (installed without CUDA)`;
  }
  return undefined;
}
