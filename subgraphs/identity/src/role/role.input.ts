import { Field, InputType } from 'type-graphql';

@InputType('CreateRoleInput')
export class CreateRoleInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { description: 'Platform permissions such as models:read; you must hold each one' })
  permissions!: string[];
}
