// lib/contracts: the single source for everything that crosses a service boundary (see docs/contracts.md).
export * from './services';
export * from './routes';
export * from './catalog.client';
export * from './lineage';
export * from './models.client';
export * from './schemas.client';
export * from './inference-pod';
export * from './stubs';
export * from './references';
export * from './infrastructure';
