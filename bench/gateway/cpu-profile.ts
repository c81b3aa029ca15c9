import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by function, heaviest first. */
  functions: { name: string; where: string; selfMs: number }[];
  /** Self time by package (node_modules/<pkg>), by our own folders, node internals, GC and idle. */
  packages: { name: string; selfMs: number }[];
  /** Inclusive time of each frame of ours (gateway/, lib/), heaviest first. */
  ours: { name: string; where: string; totalMs: number }[];
  /** Inclusive time of every named frame, heaviest first. */
  inclusive: { name: string; where: string; totalMs: number }[];
}

function packageOf(url: string, root: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const rel = path.relative(root, file);
  return rel.startsWith('..') ? file : rel.split('/').slice(0, 2).join('/');
}

/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums sample time per function, per package
 * and, for frames in our own code, inclusive of what they call.
 * @returns the summary, times in milliseconds
 */
export function summarizeCpuProfile(file: string, root: string, top = 40): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const where = (n: ProfileNode) =>
    `${path.relative(root, n.callFrame.url.replace(/^file:\/\//, '')) || n.callFrame.url || '-'}:${n.callFrame.lineNumber + 1}`;
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`;
  const fn = new Map<string, { name: string; where: string; selfMs: number }>();
  const pkg = new Map<string, number>();
  const ours = new Map<string, { name: string; where: string; totalMs: number }>();
  const inclusive = new Map<string, { name: string; where: string; totalMs: number }>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const n = byId.get(id)!;
    const k = key(n);
    const f = fn.get(k) ?? { name: n.callFrame.functionName || '(anonymous)', where: where(n), selfMs: 0 };
    f.selfMs += us / 1000;
    fn.set(k, f);
    const p =
      n.callFrame.functionName.startsWith('(') && !n.callFrame.url
        ? n.callFrame.functionName
        : packageOf(n.callFrame.url, root);
    pkg.set(p, (pkg.get(p) ?? 0) + us / 1000);
    // Inclusive time: every distinct frame on this sample's stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!;
      const url = c.callFrame.url;
      const ck = key(c);
      if (seen.has(ck) || !c.callFrame.functionName || c.callFrame.functionName.startsWith('(')) continue;
      seen.add(ck);
      const add = (into: typeof ours) => {
        const o = into.get(ck) ?? { name: c.callFrame.functionName, where: where(c), totalMs: 0 };
        o.totalMs += us / 1000;
        into.set(ck, o);
      };
      add(inclusive);
      if (url && !url.includes('node_modules') && /\/(gateway|lib)\/src\//.test(url)) add(ours);
    }
  }
  return {
    totalMs: totalUs / 1000,
    functions: [...fn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
    packages: [...pkg].map(([name, selfMs]) => ({ name, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    ours: [...ours.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top),
    inclusive: [...inclusive.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top * 2),
  };
}
