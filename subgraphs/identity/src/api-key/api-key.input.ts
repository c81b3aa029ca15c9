import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => String)
  name!: string;

  @Field(() => [String], { nullable: true, description: 'Default: the roles of the user the key acts as' })
  roles?: string[] | null;

  @Field(() => ID, {
    nullable: true,
    description: 'A member (e.g. a machine user) the key acts as; default you. Needs users:write',
  })
  userId?: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}
