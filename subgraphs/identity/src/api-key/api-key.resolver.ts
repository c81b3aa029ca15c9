import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { ApiKeyType, CreatedApiKeyType } from './api-key.type';
import { CreateApiKeyInput } from './api-key.input';
import type { ApiKey } from './api-key.entity';
import type { CreatedApiKey } from './api-key.service';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import { callerScope, type IdentityContext } from '../context';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Query(() => [ApiKeyType], {
    nullable: true,
    description: 'Keys of a member (default: all keys with apikeys:manage, else yours)',
  })
  apiKeys(
    @Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<ApiKey[]> {
    return ctx.services.apiKeys.visible(requestScope(ctx), userId);
  }

  @Mutation(() => CreatedApiKeyType, { description: 'Creates an API key; the secret is in this answer only' })
  createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(requestScope(ctx), input, ctx.meta);
  }

  @Mutation(() => ApiKeyType, { description: 'Revokes a key: yours, or any with apikeys:manage' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<ApiKey> {
    return ctx.services.apiKeys.revoke(requestScope(ctx), id, ctx.meta);
  }

  @FieldResolver(() => UserType, { description: 'The member the key acts as' })
  user(@Root() apiKey: ApiKey, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.member(callerScope(ctx), apiKey.organizationId, apiKey.user.id);
  }

  @FieldResolver(() => Boolean, { description: 'Neither revoked nor expired' })
  active(@Root() apiKey: ApiKey, @Ctx() ctx: IdentityContext): boolean {
    return ctx.services.apiKeys.isActive(apiKey);
  }
}
