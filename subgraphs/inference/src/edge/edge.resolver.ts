import { Arg, Ctx, Field, Float, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { ModelVersionRef } from '../common/refs.type';
import type { InferenceContext } from '../context';

@ObjectType({ description: 'A downloadable bundle that runs a model version offline' })
export class EdgePackage {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => String, { description: 'sha256 of the .tar.gz bundle' }) sha256!: string;
  @Field(() => Float) size!: number;
  @Field(() => String, { description: 'Signed download URL on the gateway origin' }) downloadUrl!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => JSONScalar) manifest!: Record<string, unknown>;
  @Field(() => [String]) files!: string[];
}

@Resolver()
export class EdgeResolver {
  @Mutation(() => EdgePackage, {
    description: 'Bundles a model version for offline use: model.onnx, signature, manifest and loader',
  })
  async exportEdgePackage(
    @Arg('modelVersion', () => ID) modelVersion: string,
    @Ctx() ctx: InferenceContext,
  ): Promise<EdgePackage> {
    const result = await ctx.services.edge.export(requestScope(ctx), modelVersion, ctx.authorization);
    return { ...result, modelVersion: { id: result.modelVersionId } };
  }
}
