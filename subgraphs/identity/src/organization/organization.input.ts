import { Field, InputType } from 'type-graphql';

@InputType('CreateOrganizationInput')
export class CreateOrganizationInput {
  @Field(() => String)
  slug!: string;

  @Field(() => String)
  name!: string;
}
