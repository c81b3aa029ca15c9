import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import YAML from 'yaml';
import { SERVICE_SECRET_HEADER } from './schema-disclosure';

/** How to ask a running subgraph for its SDL. */
export interface SdlFetchOptions {
  /** The shared service secret (`AIC_SERVICE_SECRET`): production subgraphs answer `_service` only with it. */
  serviceSecret?: string;
}

export interface SubgraphSource {
  name: string;
  /** Routing URL written into the supergraph. */
  url: string;
  /** The subgraph SDL (from its schema file or from `_service { sdl }`). */
  sdl: string;
}

/** Thrown with every composition error message when the subgraphs do not compose. */
export class CompositionError extends Error {
  constructor(readonly errors: string[]) {
    super(`Composition failed:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

/**
 * Composes subgraph SDLs into a supergraph in-process (`@apollo/composition`, what
 * `rover supergraph compose` runs).
 * @returns the supergraph SDL
 */
export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors?.length) throw new CompositionError(result.errors.map((e) => e.message));
  return result.supergraphSdl!;
}

/**
 * Fetches a running subgraph's SDL through `_service { sdl }`, presenting the service secret when given.
 * @returns the SDL text
 */
export async function fetchSubgraphSdl(url: string, opts: SdlFetchOptions = {}): Promise<string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(opts.serviceSecret ? { [SERVICE_SECRET_HEADER]: opts.serviceSecret } : {}),
  };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
  const body = (await res.json()) as { data?: { _service: { sdl: string } }; errors?: { message: string }[] };
  if (!body.data) throw new Error(`${url} did not answer _service { sdl }: ${body.errors?.[0]?.message ?? res.status}`);
  return body.data._service.sdl;
}

interface SupergraphYaml {
  federation_version?: string;
  subgraphs: Record<string, { routing_url: string; schema: { file?: string; subgraph_url?: string } }>;
}

/**
 * Reads a rover-style `supergraph.yaml` (`subgraphs.<name>.routing_url`, `schema.file` relative to
 * the YAML or `schema.subgraph_url`, asked with `opts`) and composes it.
 * @returns the supergraph SDL
 */
export async function composeFromConfig(yamlPath: string, opts: SdlFetchOptions = {}): Promise<string> {
  const config = YAML.parse(fs.readFileSync(yamlPath, 'utf8')) as SupergraphYaml;
  if (!config?.subgraphs || typeof config.subgraphs !== 'object') throw new Error(`${yamlPath}: no "subgraphs" map`);
  if (config.federation_version && !/^=?2\./.test(String(config.federation_version)))
    throw new Error(`${yamlPath}: federation_version must be 2.x`);
  const sources: SubgraphSource[] = [];
  for (const [name, sg] of Object.entries(config.subgraphs)) {
    if (!sg?.routing_url) throw new Error(`${yamlPath}: subgraph "${name}" has no routing_url`);
    let sdl: string;
    if (sg.schema?.file) sdl = fs.readFileSync(path.resolve(path.dirname(yamlPath), sg.schema.file), 'utf8');
    else if (sg.schema?.subgraph_url) sdl = await fetchSubgraphSdl(sg.schema.subgraph_url, opts);
    else throw new Error(`${yamlPath}: subgraph "${name}" needs schema.file or schema.subgraph_url`);
    sources.push({ name, url: sg.routing_url, sdl });
  }
  return composeSupergraph(sources);
}

/**
 * Reads the subgraph names and routing URLs out of a supergraph SDL (`@join__graph`).
 * @returns name → URL
 */
export function subgraphUrls(supergraphSdl: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g))
    out[m[1]!] = m[2] ?? '';
  return out;
}
