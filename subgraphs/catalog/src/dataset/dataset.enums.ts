import { registerEnumType } from 'type-graphql';

export enum Classification {
  PUBLIC = 'PUBLIC',
  INTERNAL = 'INTERNAL',
  CONFIDENTIAL = 'CONFIDENTIAL',
  PII = 'PII',
}
registerEnumType(Classification, {
  name: 'Classification',
  description: 'How sensitive a dataset or column is; CONFIDENTIAL and PII datasets are visible only through a grant.',
});

export enum DatasetFormat {
  CSV = 'CSV',
  JSONL = 'JSONL',
}
registerEnumType(DatasetFormat, { name: 'DatasetFormat' });

export enum AccessLevel {
  READ = 'READ',
  WRITE = 'WRITE',
  OWNER = 'OWNER',
}
registerEnumType(AccessLevel, { name: 'AccessLevel' });

/** Order of access levels; NONE below READ. */
export const ACCESS_RANK: Record<AccessLevel | 'NONE', number> = { NONE: 0, READ: 1, WRITE: 2, OWNER: 3 };

export const CONTENT_TYPES: Record<DatasetFormat, string> = { CSV: 'text/csv', JSONL: 'application/x-ndjson' };

/** A data steward's decision on a detected PII column. */
export enum PiiReviewDecision {
  /** The column holds personal data: classified PII from now on. */
  CONFIRM = 'CONFIRM',
  /** A false positive: classified INTERNAL from now on (the detection stays visible). */
  DISMISS = 'DISMISS',
}
registerEnumType(PiiReviewDecision, {
  name: 'PiiReviewDecision',
  description: 'Confirm or dismiss a detected PII column.',
});
