export * from './claim-store';
export * from './job-queue';
export * from './worker-main';
export * from './worker-health';
