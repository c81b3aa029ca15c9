import { registerEnumType } from 'type-graphql';

/** Where a model version came from. */
export enum ModelVersionSource {
  UPLOAD = 'UPLOAD',
  TRAINING_JOB = 'TRAINING_JOB',
}

/** Artifact formats the registry stores. */
export enum ArtifactFormat {
  ONNX = 'ONNX',
}

/** Life cycle of a persisted job (training job, study, pipeline run). */
export enum JobState {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** Built-in training algorithms. */
export enum TrainingAlgorithm {
  LINEAR_REGRESSION = 'LINEAR_REGRESSION',
  LOGISTIC_REGRESSION = 'LOGISTIC_REGRESSION',
  MLP_CLASSIFIER = 'MLP_CLASSIFIER',
  MLP_REGRESSOR = 'MLP_REGRESSOR',
}

export enum ActivationFunction {
  RELU = 'RELU',
  TANH = 'TANH',
  SIGMOID = 'SIGMOID',
}

export enum OptimizerKind {
  SGD = 'SGD',
  ADAM = 'ADAM',
}

export enum SamplerKind {
  RANDOM = 'RANDOM',
  GRID = 'GRID',
  TPE = 'TPE',
}

export enum PrunerKind {
  NONE = 'NONE',
  MEDIAN = 'MEDIAN',
}

export enum OptimizationDirection {
  MINIMIZE = 'MINIMIZE',
  MAXIMIZE = 'MAXIMIZE',
}

export enum SearchParameterType {
  FLOAT = 'FLOAT',
  INT = 'INT',
  CATEGORICAL = 'CATEGORICAL',
}

export enum TrialState {
  RUNNING = 'RUNNING',
  COMPLETE = 'COMPLETE',
  PRUNED = 'PRUNED',
  FAIL = 'FAIL',
}

export enum StepState {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}

export enum DatasetFormat {
  CSV = 'CSV',
  JSONL = 'JSONL',
}

registerEnumType(ModelVersionSource, {
  name: 'ModelVersionSource',
  description: 'UPLOAD: an uploaded file; TRAINING_JOB: trained by this service',
});
registerEnumType(ArtifactFormat, { name: 'ArtifactFormat' });
registerEnumType(JobState, { name: 'JobState', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED' });
registerEnumType(TrainingAlgorithm, { name: 'TrainingAlgorithm' });
registerEnumType(ActivationFunction, { name: 'ActivationFunction' });
registerEnumType(OptimizerKind, { name: 'OptimizerKind' });
registerEnumType(SamplerKind, { name: 'SamplerKind', description: 'RANDOM, GRID or TPE (Optuna-like)' });
registerEnumType(PrunerKind, { name: 'PrunerKind' });
registerEnumType(OptimizationDirection, { name: 'OptimizationDirection' });
registerEnumType(SearchParameterType, { name: 'SearchParameterType' });
registerEnumType(TrialState, { name: 'TrialState' });
registerEnumType(StepState, { name: 'StepState' });
