import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../../../../lib/src/index';

@ObjectType('SecurityEvent', { description: 'A security event of the organization' })
export class AuditEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: 'login.succeeded, login.failed, account.locked, role.assigned, apikey.created, ...',
  })
  type!: string;

  @Field(() => Boolean)
  success!: boolean;

  @Field(() => String, { nullable: true })
  actorId?: string | null;

  @Field(() => String)
  actorKind!: string;

  @Field(() => String, { nullable: true })
  targetType?: string | null;

  @Field(() => String, { nullable: true })
  targetId?: string | null;

  @Field(() => String, { nullable: true })
  ipAddress?: string | null;

  @Field(() => JSONObjectScalar)
  details!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('SecurityEventPageInfo')
export class PageInfoType {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType('SecurityEventConnection')
export class AuditEventConnectionType {
  @Field(() => [AuditEventType])
  nodes!: AuditEventType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@InputType('SecurityEventFilter')
export class AuditFilterInput {
  @Field(() => [String], { nullable: true })
  types?: string[];

  @Field(() => String, { nullable: true })
  actorId?: string;

  @Field(() => String, { nullable: true })
  targetId?: string;

  @Field(() => Boolean, { nullable: true })
  success?: boolean;

  @Field(() => Date, { nullable: true })
  since?: Date;

  @Field(() => Date, { nullable: true })
  until?: Date;
}
