import { Field, InputType } from 'type-graphql';

@InputType('CreateUserInput')
export class CreateUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'Omit for a machine user that authenticates with API keys only' })
  password?: string | null;

  @Field(() => [String], { nullable: true, description: 'Role names in your organization; default [viewer]' })
  roles?: string[] | null;
}

@InputType('InviteUserInput', { description: 'Adds an existing user (from another organization) to yours' })
export class InviteUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => [String], { nullable: true, description: 'Default [viewer]' })
  roles?: string[] | null;
}
