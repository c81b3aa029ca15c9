#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than package-lock.json, and (with
// --build) compiles the TypeScript when the sources changed since the last build.
// Plain JavaScript with no dependencies: it runs before anything is installed.
'use strict';
const { execSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'node_modules', '.aic-install-stamp');
const digest = (files) => {
  const h = crypto.createHash('sha256');
  for (const f of files) h.update(f).update(fs.existsSync(f) ? fs.readFileSync(f) : '');
  return h.digest('hex');
};
const lockDigest = digest([path.join(root, 'package.json'), path.join(root, 'package-lock.json')]);
const installed = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
if (installed !== lockDigest) {
  console.log('[aic] installing dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  fs.writeFileSync(stamp, lockDigest);
}

if (process.argv.includes('--build')) {
  const walk = (dir, out) => {
    if (!fs.existsSync(dir)) return out;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, out);
      else if (p.endsWith('.ts')) out.push(p);
    }
    return out;
  };
  const sources = ['lib', 'gateway', 'subgraphs', 'scripts'].flatMap((d) => walk(path.join(root, d), [])).sort();
  const srcDigest = digest([...sources, path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')]);
  const buildStamp = path.join(root, 'dist', '.aic-build-stamp');
  const built = fs.existsSync(buildStamp) ? fs.readFileSync(buildStamp, 'utf8').trim() : '';
  if (built !== srcDigest) {
    console.log('[aic] compiling TypeScript ...');
    execSync('npx tsc -p tsconfig.build.json', { cwd: root, stdio: 'inherit' });
    fs.writeFileSync(buildStamp, srcDigest);
  }
}
