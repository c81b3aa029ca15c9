import { registerEnumType } from 'type-graphql';

export enum Synthesizer {
  GAUSSIAN_COPULA = 'GAUSSIAN_COPULA',
  INDEPENDENT = 'INDEPENDENT',
  DP_GAUSSIAN_COPULA = 'DP_GAUSSIAN_COPULA',
}
registerEnumType(Synthesizer, {
  name: 'Synthesizer',
  description:
    'GAUSSIAN_COPULA (default): per-column marginals joined by a Gaussian copula; INDEPENDENT: marginals only; DP_GAUSSIAN_COPULA: differentially private copula (epsilon, delta).',
});

export enum SyntheticJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(SyntheticJobStatus, { name: 'SyntheticJobStatus' });

export enum SyntheticColumnHandling {
  MODEL = 'MODEL',
  FAKE = 'FAKE',
  DROP = 'DROP',
}
registerEnumType(SyntheticColumnHandling, {
  name: 'SyntheticColumnHandling',
  description:
    'MODEL: learn the column (refused for columns the catalog classifies PII); FAKE: never read, fill with format-preserving fake values; DROP: leave the column out of the output.',
});

export const TERMINAL_STATUSES = [
  SyntheticJobStatus.SUCCEEDED,
  SyntheticJobStatus.FAILED,
  SyntheticJobStatus.CANCELLED,
];
