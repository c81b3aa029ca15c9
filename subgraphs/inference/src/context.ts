import type { PubSub, ServiceContext } from '../../../lib/src/index';
import type { BatchJobService } from './batch/batch-job.service';
import type { Config } from './config';
import type { EdgePackageService } from './edge/edge-package.service';
import type { EndpointService } from './endpoint/endpoint.service';
import type { ServingRegistry } from './serving/serving.registry';

/** The service's parts that resolvers use. */
export interface InferenceApp {
  config: Config;
  endpoints: EndpointService;
  serving: ServingRegistry;
  pubSub: PubSub;
  edge: EdgePackageService;
  batch: BatchJobService;
}

/** Per-request context of the inference subgraph. */
export interface InferenceContext extends ServiceContext {
  app: InferenceApp;
}
