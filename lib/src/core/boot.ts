import { describeError } from '../redact';

/**
 * The `catch` of a service's `main()`: writes "<service> failed to start: <error>" to stderr (SQL
 * values masked, secrets scrubbed, see `describeError`) and exits with status 1.
 */
export function exitOnBootFailure(service: string): (error: unknown) => never {
  return (error) => {
    process.stderr.write(`${service} failed to start: ${describeError(error)}\n`);
    process.exit(1);
  };
}
