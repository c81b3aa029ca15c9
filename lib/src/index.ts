// The subgraph kit: everything a subgraph is built from (the service server, the ORM, type-graphql
// schemas, uploads, worker pools ...), over the shared mechanism of `./core` (the gateway imports
// only that).
// Decorated classes below (and in every subgraph) need the Reflect metadata API loaded first.
import 'reflect-metadata';
export * from './core';
export * from './federation';
export * from './orm';
export * from './migrations';
export * from './private-files';
export * from './secret-box';
export * from './pubsub';
export * from './server';
export * from './storable-input';
export * from './context';
export * from './artifacts';
export * from './artifacts/factory';
export { createS3ArtifactStore, type S3StoreOptions } from './artifacts/s3';
export { createAzureBlobArtifactStore, type AzureBlobStoreOptions } from './artifacts/azure';
export * from './uploads';
export * from './worker-pool';
export * from './service-client';
export * from './auth/rules';
export * from './upload-ticket.type';
export * from './openlineage/openlineage.types';
export * from './openlineage/emitter';
export * from './auth/service-auth';
export * from './json-scalars';
export * from './safe-regexp';
export * from './data/records';
export * from './data/pii';
export * from './data/normal';
export * from './data/random';
