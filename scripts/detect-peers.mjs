#!/usr/bin/env node
// Build-time detection of the peer maps' libraries for binding.gyp, from the
// peer manifest native/peers/peers.def (CMakeLists.txt reads the same file
// and does the same with find_path/pkg-config).
//
//   node scripts/detect-peers.mjs defines   MAPBENCH_HAVE_<PEER> for each peer found
//   node scripts/detect-peers.mjs cflags    the found peers' compile flags (pkg-config)
//   node scripts/detect-peers.mjs libs      the found peers' link flags (pkg-config)
//   node scripts/detect-peers.mjs summary   one line per peer: found or which package to install
//
// MAPBENCH_PEERS picks the peers: unset or "auto" = every peer found,
// "none" = no peer (how to check the build of a machine without the
// packages), or a comma list ("tbb,urcu") = exactly these, and the
// detection fails (exit 1, so the build stops) if one is missing.
// Detection looks only at headers and pkg-config files, so each call takes
// milliseconds; gyp runs it once per variable.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

import { readPeerManifest } from './peer-manifest.mjs';

const PEERS = readPeerManifest();
const INCLUDE_DIRS = ['/usr/include', '/usr/local/include'];

function pkgConfig(args) {
  try {
    return execFileSync('pkg-config', args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

function found(peer) {
  if (peer.header && !INCLUDE_DIRS.some((d) => fs.existsSync(`${d}/${peer.header}`))) return false;
  return peer.modules.length === 0 || pkgConfig(['--exists', ...peer.modules]) !== null;
}

function wanted() {
  const v = (process.env.MAPBENCH_PEERS ?? 'auto').trim();
  if (v === '' || v === 'auto') return { names: PEERS.map((p) => p.name), required: false };
  if (v === 'none') return { names: [], required: false };
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!PEERS.some((p) => p.name === n)) {
      console.error(`detect-peers: MAPBENCH_PEERS names an unknown peer '${n}' (known: ${PEERS.map((p) => p.name).join(', ')}, or auto/none)`);
      process.exit(1);
    }
  }
  return { names, required: true };
}

const { names, required } = wanted();
const chosen = PEERS.filter((p) => names.includes(p.name));
const present = chosen.filter(found);
const missing = chosen.filter((p) => !present.includes(p));
if (required && missing.length) {
  console.error(`detect-peers: MAPBENCH_PEERS asks for ${missing.map((p) => `${p.name} (Debian package ${p.package})`).join(', ')}, not found: run npm run setup:peers`);
  process.exit(1);
}
const modules = present.flatMap((p) => p.modules);
const mode = process.argv[2];
if (mode === 'defines') {
  console.log(present.map((p) => p.define).join(' '));
} else if (mode === 'cflags') {
  console.log(modules.length ? pkgConfig(['--cflags', ...modules]) ?? '' : '');
} else if (mode === 'libs') {
  console.log(modules.length ? pkgConfig(['--libs', ...modules]) ?? '' : '');
} else if (mode === 'summary') {
  for (const p of PEERS) {
    const state = !names.includes(p.name) ? 'off (MAPBENCH_PEERS)' : present.includes(p) ? 'found' : `missing: install Debian package ${p.package}`;
    console.log(`${p.name.padEnd(13)} ${state}`);
  }
} else {
  console.error('usage: node scripts/detect-peers.mjs defines|cflags|libs|summary');
  process.exit(2);
}
