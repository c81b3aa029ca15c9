import { ModelAlias, ModelAliasEvent } from './alias/model-alias.entity';
import { Model } from './model/model.entity';
import { ModelVersion } from './model-version/model-version.entity';
import { PipelineRun } from './pipeline/pipeline-run.entity';
import { Study, StudyTrial } from './study/study.entity';
import { TrainingEpoch, TrainingJob } from './training/training-job.entity';

/** Every entity of the models subgraph (its tables). */
export const MODELS_ENTITIES = [
  Model,
  ModelVersion,
  ModelAlias,
  ModelAliasEvent,
  TrainingJob,
  TrainingEpoch,
  Study,
  StudyTrial,
  PipelineRun,
];
