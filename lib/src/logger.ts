import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { redactLogObject, scrubLogLine } from './redact';

export type { Logger };

/**
 * A pino JSON logger for one service; every line carries `service`. No line carries a secret:
 * secret-named keys are redacted at any depth, errors lose their SQL values and statement
 * properties, and each finished line is scrubbed of secret shapes (hashes, JWTs, bearer
 * credentials, API keys, private keys, URL passwords). See `redact.ts`.
 * @param destination where lines go (tests capture them); @default stdout
 * @default level `info`
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // formatters.log has serialized every error already; pino's own err serializer would undo that.
    serializers: { err: (value: unknown) => value },
    formatters: { log: redactLogObject },
    hooks: { streamWrite: scrubLogLine },
  };
  return destination ? pino(options, destination) : pino(options);
}
