export * from './claim-store';
export * from './job-queue';
