// Reads a Dockerfile into its stages, so a test can run an image's build steps without Docker and
// check that what the runtime stage copies and starts is what the build produces.

/** One `FROM ... AS name` stage. */
export interface DockerStage {
  name: string;
  from: string;
  workdir?: string;
  env: Record<string, string>;
  /** `COPY [--from=stage] src... dest` in order. */
  copies: { from?: string; sources: string[]; dest: string }[];
  /** Shell commands of `RUN`, continuation lines joined. */
  runs: string[];
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
}

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!current && (line.trim().startsWith('#') || !line.trim())) continue;
    if (current && line.trim().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((current + line).trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** `KEY=value KEY2="value 2"` pairs of an ENV instruction. */
function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[m[1]!] = m[3] ?? m[2] ?? '';
  return env;
}

function parseExecForm(args: string, where: string): string[] {
  const value = JSON.parse(args) as unknown;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`${where}: use the JSON exec form`);
  return value;
}

/**
 * Parses the instructions this repository's Dockerfiles use (FROM, ARG, ENV, WORKDIR, COPY, RUN, USER,
 * EXPOSE, ENTRYPOINT, CMD); any other instruction is an error.
 * @returns the stages in order
 */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const line of logicalLines(text)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const op = instruction.toUpperCase();
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`bad FROM: ${line}`);
      stages.push({ name: m[2] ?? String(stages.length), from: m[1]!, env: {}, copies: [], runs: [] });
      continue;
    }
    if (op === 'ARG' && stages.length === 0) continue;
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'ARG':
      case 'EXPOSE':
        break;
      case 'ENV':
        Object.assign(stage.env, parseEnv(args));
        break;
      case 'WORKDIR':
        stage.workdir = args;
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'RUN':
        stage.runs.push(args);
        break;
      case 'COPY': {
        const words = args.split(/\s+/);
        const flags = words.filter((w) => w.startsWith('--'));
        const paths = words.filter((w) => !w.startsWith('--'));
        const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
        stage.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case 'ENTRYPOINT':
        stage.entrypoint = parseExecForm(args, line);
        break;
      case 'CMD':
        stage.cmd = parseExecForm(args, line);
        break;
      default:
        throw new Error(`unsupported instruction ${op}`);
    }
  }
  return stages;
}
