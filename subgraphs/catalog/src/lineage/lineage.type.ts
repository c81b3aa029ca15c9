import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { LineageNode } from './lineage-node.entity';

export enum LineageDirectionEnum {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}
registerEnumType(LineageDirectionEnum, { name: 'LineageDirection' });

export enum LineageNodeKindEnum {
  DATASET = 'DATASET',
  JOB = 'JOB',
}
registerEnumType(LineageNodeKindEnum, { name: 'LineageNodeKind' });

@InputType({
  description:
    'A node of the lineage graph: any dataset or job of any namespace, e.g. a catalog dataset (aic://catalog, datasets/<id>), a training job (aic://models, training/<model>), a model version (aic://models, model-versions/<id>), an endpoint (aic://inference, endpoints/<id>) or an application (aic://apps, applications/<id>).',
})
export class LineageNodeInput {
  @Field(() => String) namespace!: string;
  @Field(() => String) name!: string;
  @Field(() => LineageNodeKindEnum, {
    nullable: true,
    description: 'DATASET or JOB; when omitted, whichever exists (BAD_USER_INPUT when both do).',
  })
  kind?: LineageNodeKindEnum | null;
}

@ObjectType()
export class LineageGraphNode {
  @Field(() => LineageNode) node!: LineageNode;
  @Field(() => Int, { description: 'Edges from the start node.' }) depth!: number;
}

@ObjectType()
export class LineageGraphEdge {
  @Field(() => ID) fromId!: string;
  @Field(() => ID) toId!: string;
}

@ObjectType('LineageGraph')
export class LineageGraphResult {
  @Field(() => [LineageGraphNode]) nodes!: LineageGraphNode[];
  @Field(() => [LineageGraphEdge]) edges!: LineageGraphEdge[];
  @Field(() => Boolean, { description: 'True when maxNodes stopped the traversal.' }) truncated!: boolean;
}

@ObjectType('ColumnRef')
export class ColumnRefType {
  @Field(() => LineageNode) dataset!: LineageNode;
  @Field(() => String) field!: string;
}

@ObjectType('ColumnLineageLink')
export class ColumnLineageLinkType {
  @Field(() => ColumnRefType) output!: ColumnRefType;
  @Field(() => ColumnRefType) input!: ColumnRefType;
  @Field(() => JSONScalar, { nullable: true }) transformations!: unknown[] | null;
  @Field(() => Int) depth!: number;
}

@ObjectType()
export class LineageIngestResult {
  @Field(() => ID) eventId!: string;
  @Field(() => String, { description: 'RunEvent, JobEvent or DatasetEvent.' }) kind!: string;
  @Field(() => LineageNode, { nullable: true }) job!: LineageNode | null;
  @Field(() => ID, { nullable: true, description: 'The LineageRun id (not the OpenLineage runId).' }) runKey!:
    string | null;
  @Field(() => [LineageIngestWarning], {
    description:
      'Non-fatal spec violations (e.g. a facet off its schema): the event is stored whole and folded into the graph without the offending facets. Empty when AIC_OPENLINEAGE_STRICT refuses such events.',
  })
  warnings!: LineageIngestWarning[];
}

@ObjectType({ description: 'A non-fatal OpenLineage spec violation of an accepted event.' })
export class LineageIngestWarning {
  @Field(() => String, { description: 'JSON pointer into the event (`/` for the whole event).' }) path!: string;
  @Field(() => String) message!: string;
}

@ObjectType('LineageDatasetName')
export class DatasetName {
  @Field(() => String) namespace!: string;
  @Field(() => String) name!: string;
}

@ObjectType({ description: 'An OpenLineage event as it arrived.' })
export class LineageEventNotification {
  @Field(() => ID) eventId!: string;
  @Field(() => String) kind!: string;
  @Field(() => String, { nullable: true }) eventType!: string | null;
  @Field(() => String) eventTime!: string;
  @Field(() => String, { nullable: true }) runId!: string | null;
  @Field(() => DatasetName, { nullable: true }) job!: DatasetName | null;
  @Field(() => [DatasetName]) inputs!: DatasetName[];
  @Field(() => [DatasetName]) outputs!: DatasetName[];
  organizationId!: string;
}
