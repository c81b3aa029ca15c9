import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateModelInput {
  @Field(() => String, { description: 'Unique in the organization: letters, digits, ".", "_", "-"' }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
}

@InputType()
export class UpdateModelInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
}
