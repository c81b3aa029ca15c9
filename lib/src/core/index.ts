// The mechanism every process shares, the gateway included: configuration, logging and redaction,
// errors, metrics and tracing, token verification and revocations, the GraphQL HTTP and graphql-ws
// plumbing, per-request state. Nothing here loads the subgraph kit (ORM, type-graphql schemas,
// uploads, worker pools, the service server): that is `lib/src/index.ts`, which re-exports this.
export * from '../env';
export * from '../errors';
export * from '../logger';
export * from '../redact';
export * from '../metrics';
export * from '../tracing';
export * from '../websocket';
export * from '../graphql-http';
export * from '../schema-disclosure';
export * from '../json-depth';
export * from '../json-bytes';
export * from '../document-nesting';
export * from '../compose';
export * from '../auth/viewer';
export * from '../auth/token-verifier';
export * from '../auth/revocations';
export * from '../auth/revocation-feed';
export * from '../auth/credential-watch';
export * from './request-state';
export * from './boot';
export * from './http-shell';
