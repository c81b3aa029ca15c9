import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateApplicationInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => [String], { nullable: true, description: 'Default: dev, staging, production' }) environments?: string[];
  @Field(() => ID, { nullable: true, description: 'Default: the caller' }) ownerId?: string;
}

@InputType()
export class UpdateApplicationInput {
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => [String], { nullable: true }) environments?: string[];
  @Field(() => ID, { nullable: true }) ownerId?: string;
}
