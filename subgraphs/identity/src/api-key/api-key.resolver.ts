import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKeyType, CreatedApiKeyType } from './api-key.type';
import { CreateApiKeyInput } from './api-key.input';
import type { ApiKey } from './api-key.entity';
import type { CreatedApiKey } from './api-key.service';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import type { IdentityContext } from '../context';
import { PermissionDeniedError } from '../shared/identity.errors';
import { requireViewer, viewerCan } from '../../../../lib/src/index';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Query(() => [ApiKeyType], { description: "Keys of a member (default: all keys with apikeys:manage, else yours)" })
  async apiKeys(@Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined, @Ctx() ctx: IdentityContext): Promise<ApiKey[]> {
    const viewer = requireViewer(ctx.viewer);
    const manager = viewerCan(viewer, 'apikeys:manage');
    if (userId && userId !== viewer.id && !manager) throw new PermissionDeniedError('Missing permission apikeys:manage');
    return ctx.services.apiKeys.list(viewer.organizationId, userId ?? (manager ? null : viewer.id));
  }

  @Mutation(() => CreatedApiKeyType, { description: 'Creates an API key; the secret is in this answer only' })
  async createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: IdentityContext): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(requireViewer(ctx.viewer), input, ctx.meta);
  }

  @Mutation(() => ApiKeyType, { description: 'Revokes a key: yours, or any with apikeys:manage' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<ApiKey> {
    return ctx.services.apiKeys.revoke(requireViewer(ctx.viewer), id, ctx.meta);
  }

  @FieldResolver(() => UserType, { description: 'The member the key acts as' })
  async user(@Root() apiKey: ApiKey, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.inOrganization(apiKey.organization.id, apiKey.user.id);
  }

  @FieldResolver(() => Boolean, { description: 'Neither revoked nor expired' })
  active(@Root() apiKey: ApiKey): boolean {
    return !apiKey.revokedAt && (!apiKey.expiresAt || apiKey.expiresAt > new Date());
  }
}
