export * from './claim-store';
export * from './job-queue';
export * from './worker-main';
