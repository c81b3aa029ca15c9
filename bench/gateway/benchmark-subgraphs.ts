import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';

/**
 * The four subgraphs of The Guild's public gateway benchmark (graphql-hive/graphql-gateways-benchmark,
 * "federation"): the same types, keys, `@requires`/`@provides` and rows as its Rust subgraphs, here
 * as Federation 2 SDL served by `@apollo/subgraph`.
 */
export type BenchmarkSubgraphName = 'accounts' | 'inventory' | 'products' | 'reviews';

export interface BenchmarkSubgraph {
  name: BenchmarkSubgraphName;
  sdl: string;
  schema: GraphQLSchema;
}

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  productUpc: string;
}

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

const USERS: readonly User[] = [
  ['1', 'Uri Goldshtein', 'urigo'],
  ['2', 'Dotan Simha', 'dotansimha'],
  ['3', 'Kamil Kisiela', 'kamilkisiela'],
  ['4', 'Arda Tanrikulu', 'ardatan'],
  ['5', 'Gil Gardosh', 'gilgardosh'],
  ['6', 'Laurin Quast', 'laurin'],
].map(([id, name, username]) => ({ id: id!, name: name!, username: username!, birthday: 1234567890 }));

const PRODUCTS: readonly Product[] = [
  ['1', 'Table', 899, 100],
  ['2', 'Couch', 1299, 1000],
  ['3', 'Glass', 15, 20],
  ['4', 'Chair', 499, 100],
  ['5', 'TV', 1299, 1000],
  ['6', 'Lamp', 6999, 300],
  ['7', 'Grill', 3999, 2000],
  ['8', 'Fridge', 100000, 6000],
  ['9', 'Sofa', 9999, 800],
].map(([upc, name, price, weight]) => ({
  upc: String(upc),
  name: String(name),
  price: Number(price),
  weight: Number(weight),
}));

const IN_STOCK: Readonly<Record<string, boolean>> = {
  1: true,
  2: false,
  3: false,
  4: false,
  5: true,
  6: true,
  7: true,
  8: false,
  9: true,
};

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const SED_UT =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';
const SED_QUIA =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';
const UT_ENIM =
  'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem';
const AT_VERO =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.';

const REVIEWS: readonly Review[] = [
  [LOREM, '1'],
  [SED_UT, '1'],
  [SED_QUIA, '1'],
  [UT_ENIM, '1'],
  [LOREM, '2'],
  [SED_UT, '2'],
  [SED_QUIA, '2'],
  [UT_ENIM, '2'],
  [UT_ENIM, '3'],
  [UT_ENIM, '4'],
  [AT_VERO, '4'],
].map(([body, productUpc], i) => ({ id: String(i + 1), body: body!, productUpc: productUpc! }));

/** The reference's review subgraph gives every author, and every user it resolves, its first two reviews. */
const AUTHOR_REVIEWS = REVIEWS.slice(0, 2);

const ACCOUNTS_SDL = `${LINK}
type Query {
  me: User
  user(id: ID!): User
  users: [User]
}
type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthday: Int
}`;

const INVENTORY_SDL = `${LINK}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}`;

const PRODUCTS_SDL = `${LINK}
type Query {
  topProducts(first: Int = 5): [Product]
}
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}`;

const REVIEWS_SDL = `${LINK}
type Review @key(fields: "id") {
  id: ID!
  body: String
  product: Product
  author: User @provides(fields: "username")
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}`;

const toProductRef = (r: Review) => ({ upc: r.productUpc });

const RESOLVERS: Record<BenchmarkSubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, args: { id: string }) => USERS.find((u) => u.id === args.id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: { upc: string; price?: number | null; weight?: number | null }) =>
        ref.upc in IN_STOCK
          ? { upc: ref.upc, price: ref.price ?? null, weight: ref.weight ?? null, inStock: IN_STOCK[ref.upc] }
          : null,
      // Same rule as the reference (free shipping above 1000, else half the weight), fed by @requires.
      shippingEstimate: (p: { price: number | null; weight: number | null }) => {
        if (p.price == null) return null;
        if (p.price > 1000) return 0;
        return p.weight == null ? null : Math.trunc(p.weight / 2);
      },
    },
  },
  products: {
    Query: { topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, args.first ?? 5) },
    Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS.find((p) => p.upc === ref.upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: { id: string }) => REVIEWS.find((r) => r.id === ref.id) ?? null,
      product: toProductRef,
      author: () => ({ id: '1', username: 'urigo' }),
    },
    User: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      reviews: () => AUTHOR_REVIEWS,
    },
    Product: {
      __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
      reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.productUpc === p.upc),
    },
  },
};

const SDL: Record<BenchmarkSubgraphName, string> = {
  accounts: ACCOUNTS_SDL,
  inventory: INVENTORY_SDL,
  products: PRODUCTS_SDL,
  reviews: REVIEWS_SDL,
};

/** The subgraph names, in the order the benchmark lists them. */
export const BENCHMARK_SUBGRAPHS: readonly BenchmarkSubgraphName[] = ['accounts', 'inventory', 'products', 'reviews'];

/**
 * Builds one of the benchmark's subgraphs.
 * @returns its SDL and executable federated schema
 */
export function buildBenchmarkSubgraph(name: BenchmarkSubgraphName): BenchmarkSubgraph {
  const sdl = SDL[name];
  return { name, sdl, schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: RESOLVERS[name] }]) };
}
