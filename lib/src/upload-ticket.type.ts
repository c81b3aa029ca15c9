import { Directive, Field, Float, ID, ObjectType } from 'type-graphql';

/**
 * What an upload mutation returns (ARCHITECTURE.md, Uploads): PUT the bytes to `url` with
 * `Authorization: Bearer <token>` before `expiresAt`. Shared by every subgraph that takes uploads,
 * hence `@shareable` with one definition here.
 */
@Directive('@shareable')
@ObjectType({ description: 'A short-lived ticket to PUT bytes to (`Authorization: Bearer <token>`)' })
export class UploadTicket {
  @Field(() => ID, { description: 'The upload id later mutations reference' })
  id!: string;

  @Field(() => String, { description: "URL on the gateway's origin to PUT the bytes to" })
  url!: string;

  @Field(() => String, { description: 'Bearer token for the PUT; single use' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Float, { description: 'Largest accepted size in bytes' })
  maxBytes!: number;
}
