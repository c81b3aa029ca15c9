// Preloaded (NODE_OPTIONS --require) by scripts/test-node24.sh into every Node process of the Node 24
// run: vitest, its forked workers, and whatever the tests spawn. node_modules is installed by the
// machine's Node 20, so its one ABI-specific native module, re2 (NAN, not N-API), holds a binary built
// for Node 20's ABI. The script builds re2 for Node 24 in .cache/node24/ and names that binary in
// AIC_RE2_BINARY; here, in a process of that ABI only, loading node_modules' re2.node loads it instead.
// Any other native module, and any other copy of re2 (one an `npm ci` built for this Node), is untouched.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const binary = process.env.AIC_RE2_BINARY;
if (binary && process.versions.modules === process.env.AIC_RE2_ABI) {
  if (!fs.existsSync(binary)) throw new Error(`AIC_RE2_BINARY ${binary} does not exist: run scripts/test-node24.sh`);
  const root = path.resolve(__dirname, '..');
  const shared = fs.realpathSync(
    path.join(path.dirname(require.resolve('re2/package.json', { paths: [root] })), 'build', 'Release', 're2.node'),
  );
  const load = Module._extensions['.node'];
  Module._extensions['.node'] = function loadNative(module, filename) {
    let real = filename;
    try {
      real = fs.realpathSync(filename);
    } catch {
      // not on disk: let Node report it
    }
    return load.call(this, module, real === shared ? binary : filename);
  };
}
