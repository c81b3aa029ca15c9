import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { JSONObjectScalar } from '../common/json.scalar';
import { ArtifactFormat, ModelVersionSource } from '../common/enums';
import { DatasetRef, UserRef } from '../dataset/dataset.reference';
import type { OnnxSignature, TensorSignature } from '../engine/onnx/onnx-signature.reader';
import type { TensorSpec } from './signature.type';
import { ModelArtifact, ModelSignature } from './signature.type';

function toTensorSpec(t: TensorSignature): TensorSpec {
  return {
    name: t.name,
    elementType: t.elementType,
    shape: t.shape
      ? t.shape.map((d) => (typeof d === 'number' ? { size: d, symbol: null } : { size: null, symbol: d }))
      : null,
  };
}

/** An immutable version of a model: its ONNX artifact, signature, metrics, parameters and origin. */
@Entity({ tableName: 'model_versions' })
@Unique({ properties: ['modelId', 'version'] })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'An immutable version of a model' })
export class ModelVersion extends OrganizationEntity {
  [OptionalProps]?: 'tags' | 'metrics' | 'parameters' | 'description' | 'format';

  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Index() @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' })
  @Field(() => String, { description: 'Name of the model (at registration)' })
  modelName!: string;
  @Property({ type: 'integer' }) @Field(() => Int) version!: number;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) description?: string | null;
  @Property({ type: 'json' }) @Field(() => [String]) tags: string[] = [];
  @Property({ type: 'string' }) @Field(() => ModelVersionSource) source!: ModelVersionSource;
  @Property({ type: 'string', nullable: true }) trainingJobId?: string | null;
  @Property({ type: 'string', nullable: true }) studyId?: string | null;
  @Property({ type: 'string', nullable: true }) datasetId?: string | null;
  @Property({ type: 'string', nullable: true }) datasetVersion?: string | null;
  @Property({ type: 'string' }) sha256!: string;
  @Property({ type: 'double' }) size!: number;
  @Property({ type: 'string' }) format: string = ArtifactFormat.ONNX;
  @Property({ type: 'json' }) signatureJson!: OnnxSignature;
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, {
    description: 'Evaluation metrics, e.g. { accuracy, f1Macro, rocAuc, logLoss } or { rmse, mae, r2 }',
  })
  metrics: Record<string, number> = {};
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, { description: 'Training parameters and hyperparameters' })
  parameters: Record<string, unknown> = {};
  @Property({ type: 'string' }) createdById!: string;
  @Field(() => Date) override createdAt!: Opt<Date>;

  @Field(() => ModelArtifact)
  artifact(): ModelArtifact {
    return { sha256: this.sha256, size: this.size, format: this.format };
  }

  @Field(() => ModelSignature)
  signature(): ModelSignature {
    const s = this.signatureJson;
    return {
      inputs: s.inputs.map(toTensorSpec),
      outputs: s.outputs.map(toTensorSpec),
      irVersion: s.irVersion,
      opsets: s.opsets,
      producerName: s.producerName,
    };
  }

  @Field(() => DatasetRef, { nullable: true, description: 'The catalog dataset it was trained on' })
  dataset(): DatasetRef | null {
    return this.datasetId ? { id: this.datasetId } : null;
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }

  @Field(() => String, { description: 'models:/<name>/<version>' })
  uri(): string {
    return `models:/${this.modelName}/${this.version}`;
  }
}
