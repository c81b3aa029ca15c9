import type { FirstRunResult } from './first-run.service';

/**
 * The message printed once, on the boot that created the first owner. The password appears only
 * when it was generated (a configured one is never echoed).
 */
export function firstRunBanner(result: FirstRunResult): string {
  const lines = [
    'Created organization "default" and its owner:',
    `  email:    ${result.adminEmail}`,
    result.generatedPassword
      ? `  password: ${result.generatedPassword}   (generated: shown only now; change it with changePassword)`
      : '  password: the value of AIC_ADMIN_PASSWORD',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = `+${'-'.repeat(width)}+`;
  return [bar, ...lines.map((l) => `| ${l.padEnd(width - 1)}|`), bar].join('\n') + '\n';
}
