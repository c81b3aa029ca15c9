/** The heavy nested query of the public gateway benchmark (`TestQuery` in its k6 script). */
export const BENCHMARK_QUERY = `fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}`;

/** The request body every gateway receives. */
export const BENCHMARK_BODY = JSON.stringify({ query: BENCHMARK_QUERY, operationName: 'TestQuery' });

/**
 * The "distinct requests" scenario: the same query with `topProducts(first: $first)`, each request
 * with its own `$first` (9 or more: all nine products, so the answers are alike) and its own user
 * (`Authorization`), so that no deduplication (inbound or of subgraph fetches) can share any work.
 */
export const DISTINCT_QUERY = BENCHMARK_QUERY.replace('query TestQuery {', 'query TestQuery($first: Int) {').replace(
  '  topProducts {',
  '  topProducts(first: $first) {',
);

/** The n-th request of the "distinct requests" scenario. */
export function distinctRequest(n: number): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify({ query: DISTINCT_QUERY, operationName: 'TestQuery', variables: { first: 9 + n } }),
    headers: { authorization: `Bearer bench-user-${n}` },
  };
}

interface ProductOut {
  upc: string;
  name: string | null;
  price: number | null;
  weight: number | null;
  inStock: boolean | null;
  shippingEstimate: number | null;
  reviews?: ReviewOut[];
}
interface ReviewOut {
  id: string;
  body: string | null;
  product?: ProductOut;
  author?: UserOut;
}
interface UserOut {
  id: string;
  username: string | null;
  name: string | null;
  reviews?: ReviewOut[];
}

/** The data of a correct answer, for the checks below. */
export interface BenchmarkData {
  users: UserOut[];
  topProducts: ProductOut[];
}

function checkProduct(p: ProductOut | undefined, where: string, problems: string[]): void {
  if (!p) return void problems.push(`${where}: no product`);
  const expected: Record<string, [string, number, number, boolean, number]> = {
    1: ['Table', 899, 100, true, 50],
    2: ['Couch', 1299, 1000, false, 0],
    3: ['Glass', 15, 20, false, 10],
    4: ['Chair', 499, 100, false, 50],
    5: ['TV', 1299, 1000, true, 0],
  };
  const e = expected[p.upc];
  if (!e) return void problems.push(`${where}: unexpected product ${p.upc}`);
  const got: [string | null, number | null, number | null, boolean | null, number | null] = [
    p.name,
    p.price,
    p.weight,
    p.inStock,
    p.shippingEstimate,
  ];
  if (JSON.stringify(got) !== JSON.stringify(e))
    problems.push(`${where}: product ${p.upc} is ${JSON.stringify(got)}, expected ${JSON.stringify(e)}`);
}

function checkAuthor(u: UserOut | undefined, where: string, problems: string[]): void {
  if (!u || u.id !== '1' || u.username !== 'urigo' || u.name !== 'Uri Goldshtein')
    return void problems.push(
      `${where}: author is ${JSON.stringify(u && { id: u.id, username: u.username, name: u.name })}`,
    );
  const ids = (u.reviews ?? []).map((r) => r.id).join(',');
  if (ids !== '1,2') problems.push(`${where}: author reviews ${ids}, expected 1,2`);
  u.reviews?.forEach((r, i) => checkProduct(r.product, `${where}.reviews[${i}]`, problems));
}

/**
 * Checks an answer to {@link BENCHMARK_QUERY} against the benchmark's data: six users (names from
 * accounts, two reviews each from reviews), products joined from products and inventory (with
 * `shippingEstimate` computed through `@requires`), review authors through `@provides`.
 * @returns the problems found; empty when the answer is right
 */
export function checkBenchmarkAnswer(body: { data?: BenchmarkData | null; errors?: unknown[] }): string[] {
  const problems: string[] = [];
  if (body.errors?.length) problems.push(`errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  const data = body.data;
  if (!data) return [...problems, 'no data'];
  const names = (data.users ?? []).map((u) => u.name).join(',');
  if (names !== 'Uri Goldshtein,Dotan Simha,Kamil Kisiela,Arda Tanrikulu,Gil Gardosh,Laurin Quast')
    problems.push(`users: ${names}`);
  data.users?.forEach((u, i) => {
    const ids = (u.reviews ?? []).map((r) => r.id).join(',');
    if (ids !== '1,2') problems.push(`users[${i}].reviews: ${ids}`);
    u.reviews?.forEach((r, j) => {
      checkProduct(r.product, `users[${i}].reviews[${j}]`, problems);
      const productReviews = (r.product?.reviews ?? []).map((pr) => pr.id).join(',');
      if (productReviews !== '1,2,3,4') problems.push(`users[${i}].reviews[${j}].product.reviews: ${productReviews}`);
      r.product?.reviews?.forEach((pr, k) =>
        checkAuthor(pr.author, `users[${i}].reviews[${j}].product.reviews[${k}].author`, problems),
      );
    });
  });
  const upcs = (data.topProducts ?? []).map((p) => p.upc).join(',');
  if (upcs !== '1,2,3,4,5') problems.push(`topProducts: ${upcs}`);
  const reviewsByUpc: Record<string, string> = { 1: '1,2,3,4', 2: '5,6,7,8', 3: '9', 4: '10,11', 5: '' };
  data.topProducts?.forEach((p, i) => {
    checkProduct(p, `topProducts[${i}]`, problems);
    const ids = (p.reviews ?? []).map((r) => r.id).join(',');
    if (ids !== reviewsByUpc[p.upc]) problems.push(`topProducts[${i}].reviews: ${ids}`);
    p.reviews?.forEach((r, j) => checkAuthor(r.author, `topProducts[${i}].reviews[${j}].author`, problems));
  });
  return problems;
}
