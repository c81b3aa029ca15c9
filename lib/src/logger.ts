import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * A pino JSON logger for one service; every line carries `service`.
 * @default level `info`
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: ['req.headers.authorization', '*.password', '*.secret', '*.token'], censor: '[redacted]' } });
}
