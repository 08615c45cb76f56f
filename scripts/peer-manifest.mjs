#!/usr/bin/env node
// The peer manifest, native/peers/peers.def, as data for the scripts that
// build or install peers (detect-peers.mjs, setup-peers.sh, .ci/run). The
// C++ catalogue includes the same file as an X-macro and CMakeLists.txt
// matches the same line pattern, so peers.def is the only list.
//
//   node scripts/peer-manifest.mjs packages   the Debian packages, one line, space-separated
//   node scripts/peer-manifest.mjs names      the peer names, one line, space-separated
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = path.join(root, 'native', 'peers', 'peers.def');
const LINE = /^MAPBENCH_PEER\("([^"]*)", *"([^"]*)", *"([^"]*)", *"([^"]*)", *(true|false)\)\s*$/;

/** Every peer of peers.def: { name, define, package, header, modules, tsan }. */
export function readPeerManifest(file = MANIFEST_PATH) {
  const peers = [];
  for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.startsWith('MAPBENCH_PEER(')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: not a MAPBENCH_PEER("name", "package", "header", "modules", tsan) line`);
    peers.push({
      name: m[1],
      define: `MAPBENCH_HAVE_${m[1].toUpperCase().replace(/-/g, '_')}`,
      package: m[2],
      header: m[3] || null,
      modules: m[4] ? m[4].split(/\s+/) : [],
      tsan: m[5] === 'true',
    });
  }
  return peers;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  const peers = readPeerManifest();
  if (mode === 'packages') console.log(peers.map((p) => p.package).join(' '));
  else if (mode === 'names') console.log(peers.map((p) => p.name).join(' '));
  else {
    console.error('usage: node scripts/peer-manifest.mjs packages|names');
    process.exit(2);
  }
}
