export { GraphQLJSONObject as JSONObjectScalar, GraphQLJSON as JSONScalar } from 'graphql-scalars';
