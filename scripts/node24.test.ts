// The Node 24 run (scripts/test-node24.sh): it tests the release the images ship, and its preload
// swaps in the Node 24 build of re2 only where it should.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('Node 24 run', () => {
  it('tests exactly the Node release both Dockerfiles ship', () => {
    const pinned = /^NODE24_VERSION=(\d+\.\d+\.\d+)$/m.exec(read('scripts/test-node24.sh'))?.[1];
    expect(pinned, 'NODE24_VERSION in scripts/test-node24.sh').toMatch(/^24\./);
    for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
      const image = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/m.exec(read(file))?.[1];
      expect(image, `${file}'s NODE_IMAGE is the release scripts/test-node24.sh tests`).toBe(pinned);
    }
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((r) => r.trim())).toContain(`^${pinned!.split('.')[0]}.0.0`);
  });

  describe('scripts/node24-preload.cjs', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-node24-preload-'));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const shared = path.join(path.dirname(require.resolve('re2/package.json')), 'build', 'Release', 're2.node');
    // In the Node 24 run this process itself loads the Node 24 build in place of node_modules' one.
    const redirected = !!process.env.AIC_RE2_BINARY && process.env.AIC_RE2_ABI === process.versions.modules;
    const ownBinary = redirected ? process.env.AIC_RE2_BINARY! : shared;
    // A copy of the binary this Node loads, and a file named re2.node that is no shared library.
    const copy = path.join(tmp, 'copy', 're2.node');
    const broken = path.join(tmp, 'broken', 're2.node');
    beforeAll(() => {
      fs.mkdirSync(path.dirname(copy));
      fs.copyFileSync(ownBinary, copy);
      fs.mkdirSync(path.dirname(broken));
      fs.writeFileSync(broken, 'not a shared library');
    });

    /** Loads re2 in a child of this Node with the preload, the given binary and ABI. */
    const loadRe2 = (binary: string, abi: string) =>
      spawnSync(
        process.execPath,
        [
          '--require',
          path.join(root, 'scripts/node24-preload.cjs'),
          '-e',
          'const RE2 = require("re2"); console.log(new RE2("b+").exec("abbbc")[0])',
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '', AIC_RE2_BINARY: binary, AIC_RE2_ABI: abi },
        },
      );

    it("loads AIC_RE2_BINARY instead of node_modules' re2.node in a process of AIC_RE2_ABI", () => {
      const ok = loadRe2(copy, process.versions.modules);
      expect(ok.stderr).toBe('');
      expect(ok.stdout.trim()).toBe('bbb');

      // Proof that the named binary is the one loaded: a file that is no shared library fails by its name.
      const failed = loadRe2(broken, process.versions.modules);
      expect(failed.status).not.toBe(0);
      expect(failed.stderr).toContain(broken);
    });

    it('leaves a process of another ABI alone, and refuses a binary that is missing', () => {
      const other = loadRe2(broken, String(Number(process.versions.modules) + 1));
      expect(other.stderr).not.toContain(broken);
      // node_modules' own binary loads, which works where it was built for this Node (not in the Node 24 run).
      if (!redirected) expect(other.stdout.trim()).toBe('bbb');
      const missing = loadRe2(path.join(tmp, 'missing.node'), process.versions.modules);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('missing.node does not exist');
    });
  });
});
