#!/usr/bin/env bash
# Runs the whole suite on Node 24, the images' runtime (test/node24.test.ts keeps NODE24_VERSION equal to
# the Dockerfiles' NODE_IMAGE), with the node_modules that `npm test` installed.
#  - Node 24's binary and headers come from the npm registry's node-<os>-<arch> package, pinned exactly,
#    kept in .cache/node24/<version>/ between runs.
#  - re2 is the only native module built per Node ABI (the others are N-API): it is built for Node 24
#    in .cache/node24/<version>/re2-<re2 version>/, leaving node_modules as Node 20 built it, and
#    scripts/node24-preload.cjs (NODE_OPTIONS) makes every Node 24 process load that build.
#  - npm_config_nodedir points node-gyp at these headers, so an `npm ci` a test runs under Node 24
#    (the image build test) compiles against them without downloading anything.
# Prints "== Node <version> ==" first and the closing line "N passed, N failed, N skipped" last; the
# vitest JSON report goes to .vitest-node24.json. Arguments go to vitest (e.g. one file).
set -u
cd "$(dirname "$0")/.."
root="$PWD"
NODE24_VERSION=24.21.0

platform="$(node -p 'process.platform + "-" + process.arch')"
cache="$root/.cache/node24/$NODE24_VERSION"
node24="$cache/node-$platform"
fail() {
  echo "test-node24: $*" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
}

started=$SECONDS
if [ ! -x "$node24/bin/node" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
  tgz="$(cd "$tmp" && npm pack --silent "node-$platform@$NODE24_VERSION" | tail -1)" ||
    fail "could not fetch node-$platform@$NODE24_VERSION from the npm registry"
  tar xzf "$tmp/$tgz" -C "$tmp" && rm -rf "$node24" && mv "$tmp/package" "$node24" && rm -rf "$tmp" ||
    fail "could not unpack $tgz"
fi
[ "$("$node24/bin/node" --version)" = "v$NODE24_VERSION" ] || fail "$node24/bin/node is not Node $NODE24_VERSION"

re2src="$(node -p 'require("path").dirname(require.resolve("re2/package.json"))')" || fail "re2 is not installed: run npm install first"
re2="$cache/re2-$(node -p 'require("re2/package.json").version')"
if [ ! -f "$re2/build/Release/re2.node" ]; then
  echo "test-node24: building re2 for Node $NODE24_VERSION in $re2 ..."
  rm -rf "$re2.tmp" && mkdir -p "$re2.tmp" || fail "cannot create $re2.tmp"
  (cd "$re2src" && tar cf - --exclude=./build --exclude=./node_modules .) | (cd "$re2.tmp" && tar xf -) ||
    fail "could not copy re2's sources"
  # `node` in binding.gyp (it finds nan) is Node 24 too; nan resolves from this repository's node_modules.
  # node-gyp lets npm's config in the environment (npm_config_nodedir, which `npm run` exports from a
  # user's or the machine's npmrc, e.g. nodedir=/usr) override --nodedir: both name Node 24's headers.
  (cd "$re2.tmp" && PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" NPM_CONFIG_NODEDIR="$node24" \
    "$root/node_modules/.bin/node-gyp" rebuild -j max --nodedir="$node24" >"$re2.tmp/build.log" 2>&1) || {
    tail -40 "$re2.tmp/build.log" >&2
    fail "building re2 for Node $NODE24_VERSION failed"
  }
  "$node24/bin/node" -e 'const RE2 = require(process.argv[1]); if (!new RE2("a+").test("caaat")) process.exit(1)' "$re2.tmp" ||
    fail "the re2 built for Node $NODE24_VERSION does not work"
  mv "$re2.tmp" "$re2" || fail "could not move $re2.tmp to $re2"
fi
echo "test-node24: Node $NODE24_VERSION and its re2 ready in $((SECONDS - started)) s"

export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24"
export AIC_RE2_BINARY="$re2/build/Release/re2.node"
export AIC_RE2_ABI="$(node -p process.versions.modules)"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$root/scripts/node24-preload.cjs\""
export AIC_VITEST_JSON=.vitest-node24.json
echo "== Node $(node --version) =="
bash scripts/test.sh "$@"
