import type { ArtifactStore, PubSub, ServiceContext, UploadManager } from '../../../lib/src/index';
import type { ModelAliasService } from './alias/model-alias.service';
import type { ModelRegistry } from './model/model-registry.service';
import type { PipelineService } from './pipeline/pipeline.service';
import type { StudyService } from './study/study.service';
import type { TrainingJobService } from './training/training-job.service';

/** The services resolvers use, built once per server. */
export interface ModelsServices {
  registry: ModelRegistry;
  aliases: ModelAliasService;
  training: TrainingJobService;
  studies: StudyService;
  pipelines: PipelineService;
  uploads: UploadManager;
  store: ArtifactStore;
  pubSub: PubSub;
}

/** Request context of the models subgraph. */
export interface ModelsContext extends ServiceContext {
  services: ModelsServices;
}
