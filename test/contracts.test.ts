// lib/contracts is the single source for everything that crosses a service boundary. This test reads
// the source of every service and fails when one reads or writes a contract item that is not declared
// there (or spells a declared one out by hand instead of importing it), and when a declared item is
// used by nobody. docs/contracts.md says how to add an item.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  EXECUTION_PROVIDERS_ALIAS,
  INFERENCE_POD_ENV,
  INTERNAL_ROUTES,
  LINEAGE_NAMESPACES,
  SERVICES,
  SERVICE_CALLS,
  SUBGRAPH_NAMES,
  lineageNames,
  type SubgraphName,
} from '../lib/contracts/index';
import { organizationScopedReference } from '../lib/contracts/references';
import * as stubs from '../lib/contracts/stubs';
import { renderDeployment } from '../subgraphs/apps/src/kubernetes/deployment.renderer';
import {
  DEFAULT_RENDER_OPTIONS,
  type ReleaseEndpoint,
  type ReleaseSpec,
} from '../subgraphs/apps/src/kubernetes/release-spec.model';
import { loadConfig as loadInferenceConfig } from '../subgraphs/inference/src/config';

const ROOT = path.resolve(__dirname, '..');
const CONTRACTS = path.join(ROOT, 'lib', 'contracts');
/** Code that runs in a service (or starts one), where contract items are read and written. */
const SOURCE_DIRS = [
  'lib/src',
  'gateway/src',
  'scripts',
  'k8s/tools',
  ...SUBGRAPH_NAMES.map((n) => `subgraphs/${n}/src`),
];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Literal {
  file: string;
  line: number;
  text: string;
  /** The source text of the node (a template keeps its `${...}`). */
  raw: string;
}

const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))).map((file) =>
  ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
);

/** Every string, template and number literal in the service source (comments are not literals). */
const literals: Literal[] = files.flatMap((sf) => {
  const out: Literal[] = [];
  const visit = (n: ts.Node): void => {
    const at = (text: string) =>
      out.push({
        file: path.relative(ROOT, sf.fileName),
        line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1,
        text,
        raw: n.getText(),
      });
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return; // module paths are not contract items
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isNumericLiteral(n)) at(n.text);
    else if (ts.isTemplateExpression(n)) at([n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join('${}'));
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
});
const where = (l: Literal) => `${l.file}:${l.line} ${l.raw}`;

/** Identifiers used outside lib/contracts, e.g. `INTERNAL_ROUTES.catalogDataset` → 'catalogDataset'. */
function usedMembers(object: string): Set<string> {
  const used = new Set<string>();
  for (const sf of files) {
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n) && n.expression.getText() === object) used.add(n.name.text);
      n.forEachChild(visit);
    };
    visit(sf);
  }
  return used;
}
const mentions = (name: string) => files.some((sf) => new RegExp(`\\b${name}\\b`).test(sf.text));

describe('the service contracts (lib/contracts)', () => {
  it('reads the source of every service (the scan is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(200);
    expect(files.some((sf) => sf.fileName.startsWith(CONTRACTS))).toBe(false);
    expect(literals.some((l) => l.text === 'catalog:read')).toBe(true);
  });

  it('internal routes: no path under /internal/ or /.well-known/ is spelled out; every declared route is served and called', () => {
    expect(literals.filter((l) => /^\/internal\/|\$\{\}\/internal\/|\/\.well-known\//.test(l.text)).map(where)).toEqual(
      [],
    );
    const used = usedMembers('INTERNAL_ROUTES');
    expect(Object.keys(INTERNAL_ROUTES).filter((name) => !used.has(name))).toEqual([]);
    // Served by its service: the path constant appears in that subgraph's source (identity's revocation feed through lib's REVOCATIONS_PATH).
    for (const [name, route] of Object.entries(INTERNAL_ROUTES)) {
      const server = files.filter((sf) => sf.fileName.startsWith(path.join(ROOT, 'subgraphs', route.service, 'src')));
      const served =
        server.some((sf) => sf.text.includes(`INTERNAL_ROUTES.${name}.path`)) ||
        (route.service === 'identity' && server.some((sf) => /REVOCATIONS(_STREAM)?_PATH/.test(sf.text)));
      expect(served, `${name} (${route.method} ${route.path}) is not mounted by ${route.service}`).toBe(true);
    }
    // Every route a service call goes through is declared, and every declared route is in a call.
    const via = new Set(SERVICE_CALLS.flatMap((c) => c.via));
    expect([...via].filter((v) => v !== 'graphql' && !(v in INTERNAL_ROUTES))).toEqual([]);
    expect(Object.keys(INTERNAL_ROUTES).filter((name) => !via.has(name))).toEqual([]);
  });

  it('lineage: no namespace is spelled out; every declared namespace and name is emitted', () => {
    expect(literals.filter((l) => /^aic:\/\//.test(l.text)).map(where)).toEqual([]);
    // `namespace: '...'` in an emitter: a namespace of its own instead of a declared one (as inference's 'aic-inference' was).
    const spelled: string[] = [];
    // (k8s/tools speaks of Kubernetes namespaces.)
    for (const sf of files.filter((f) => !f.fileName.startsWith(path.join(ROOT, 'k8s')))) {
      const visit = (n: ts.Node): void => {
        if (
          ts.isPropertyAssignment(n) &&
          n.name.getText() === 'namespace' &&
          (ts.isStringLiteral(n.initializer) || ts.isTemplateExpression(n.initializer))
        )
          spelled.push(`${path.relative(ROOT, sf.fileName)}: ${n.getText()}`);
        n.forEachChild(visit);
      };
      visit(sf);
    }
    expect(spelled).toEqual([]);
    const namespaces = usedMembers('LINEAGE_NAMESPACES');
    expect(Object.keys(LINEAGE_NAMESPACES).filter((k) => !namespaces.has(k))).toEqual([]);
    const names = usedMembers('lineageNames');
    expect(Object.keys(lineageNames).filter((k) => !names.has(k))).toEqual([]);
  });

  it('ports and service URLs: no default port or service URL variable is spelled out; the checked-in supergraph routes to the declared ports', () => {
    const ports = new Set(Object.values(SERVICES).map((s) => String(s.port)));
    expect(
      literals.filter((l) => ports.has(l.text) || /(localhost|127\.0\.0\.1):40\d\d/.test(l.text)).map(where),
    ).toEqual([]);
    const urlEnvs = new Set(Object.values(SERVICES).map((s) => s.urlEnv));
    // Other AIC_*_URL settings are not service addresses.
    const notServices = new Set([
      'AIC_JWKS_URL',
      'AIC_PUBLIC_URL',
      'AIC_AZURE_STORAGE_ACCOUNT_URL',
      // The test suite's own PostgreSQL and Redis (lib/src/testing).
      'AIC_TEST_POSTGRES_URL',
      'AIC_TEST_REDIS_URL',
    ]);
    const urlLiterals = literals.filter((l) => /^AIC_\w+_URL$/.test(l.text));
    expect(
      urlLiterals
        .filter((l) => !notServices.has(l.text))
        .map((l) => `${where(l)}${urlEnvs.has(l.text as never) ? ' (use urlEnvOf)' : ' (not a declared service)'}`),
    ).toEqual([]);
    const supergraph = YAML.parse(fs.readFileSync(path.join(ROOT, 'supergraph.yaml'), 'utf8')) as {
      subgraphs: Record<string, { routing_url: string }>;
    };
    expect(Object.keys(supergraph.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    for (const [name, sg] of Object.entries(supergraph.subgraphs))
      expect(sg.routing_url, name).toBe(`http://localhost:${SERVICES[name as SubgraphName].port}/graphql`);
    // Every subgraph is someone's callee (the gateway's at least) and each calls only declared services.
    for (const call of SERVICE_CALLS) expect(SUBGRAPH_NAMES).toContain(call.to);
  });

  it('inference pod environment: apps renders exactly the declared variables and inference reads each of them', () => {
    const declared = [...Object.values(INFERENCE_POD_ENV), EXECUTION_PROVIDERS_ALIAS];
    expect(literals.filter((l) => (declared as string[]).includes(l.text)).map(where)).toEqual([]);
    const endpoint: ReleaseEndpoint = { id: 'ep-1', name: 'churn', weight: 100, modelVersionIds: ['mv-1', 'mv-2'] };
    const release: ReleaseSpec = {
      application: { id: 'app-1', name: 'shop' },
      environment: 'production',
      revision: 1,
      namespace: 'aic-apps',
      image: 'aic/inference:1',
      endpoints: [endpoint],
      config: { version: 3, values: { SHOP_MODE: 'fast' }, secrets: [] },
      resources: {},
      scaling: null,
      replicas: 1,
    };
    const deployment = renderDeployment(release, endpoint, 'shop-churn', DEFAULT_RENDER_OPTIONS);
    const env = Object.fromEntries(
      ((deployment.spec?.template.spec?.containers[0]?.env ?? []) as { name: string; value?: string }[]).map((e) => [
        e.name,
        e.value,
      ]),
    );
    const podNames = Object.keys(env).filter((n) => n.startsWith('AIC_'));
    expect(podNames.sort()).toEqual(Object.values(INFERENCE_POD_ENV).sort());
    const config = loadInferenceConfig(env);
    expect(config.pod).toEqual({ endpointId: 'ep-1', modelVersionIds: ['mv-1', 'mv-2'], configVersion: 3 });
    expect(config.executionProviders).toEqual(['cpu']);
    expect(loadInferenceConfig({ [EXECUTION_PROVIDERS_ALIAS]: 'cuda,cpu' }).executionProviders).toEqual([
      'cuda',
      'cpu',
    ]);
  });

  it('reference resolvers: one organization-scoped policy', async () => {
    const lookups: string[] = [];
    const resolve = organizationScopedReference(
      { permission: 'x:read', validId: (id) => /^\d+$/.test(id) },
      async (_ctx: { viewer?: { organizationId: string; permissions: string[] } | null }, id, org) => {
        lookups.push(`${org}/${id}`);
        return { id, organizationId: org };
      },
    );
    const viewer = (permissions: string[]) => ({ viewer: { id: 'u1', organizationId: 'org-1', permissions } as never });
    expect(await resolve({ id: '1' }, { viewer: null })).toBeNull();
    expect(await resolve({ id: '1' }, viewer([]))).toBeNull();
    expect(await resolve({ id: 'abc' }, viewer(['x:read']))).toBeNull();
    expect(await resolve({ id: '7' }, viewer(['x:read']))).toEqual({ id: '7', organizationId: 'org-1' });
    expect(lookups).toEqual(['org-1/7']);
    // Every subgraph that resolves references with a plain lookup uses it; catalog (read grants) and
    // identity (per-entity rules) resolve through their services, which scope by organization themselves.
    const usedBy = SUBGRAPH_NAMES.filter((n) =>
      files.some(
        (sf) =>
          sf.fileName.startsWith(path.join(ROOT, 'subgraphs', n, 'src')) &&
          sf.text.includes('organizationScopedReference('),
      ),
    );
    expect(usedBy.sort()).toEqual(['apps', 'inference', 'models', 'schemas', 'synthetic']);
  });

  it('type stubs: no subgraph declares a key-only stub of its own; every shared stub is used', () => {
    expect(literals.filter((l) => /resolvable:\s*false/.test(l.text)).map(where)).toEqual([]);
    for (const name of Object.keys(stubs)) expect(mentions(name), `${name} is used by no subgraph`).toBe(true);
  });
});
