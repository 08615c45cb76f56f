// The environment block saved with every result: enough to tell whether
// two files are comparable.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { addon, type DesignInfo } from './native.js';
import type { Environment } from './schema.js';

export interface EnvironmentInputs {
  tscHz: number;
  build: Environment['build'];
  timerOverheadNs: Environment['timerOverheadNs'];
  commandLine: string[];
  repoDir: string;
  /** The designs whose peers to record (default: the addon's). */
  designs?: Array<Pick<DesignInfo, 'name' | 'package' | 'libraryVersion'>>;
}

function readCaches(): Record<string, string> {
  const out: Record<string, string> = {};
  const base = '/sys/devices/system/cpu/cpu0/cache';
  try {
    for (const entry of fs.readdirSync(base).filter((e) => e.startsWith('index'))) {
      const read = (f: string) => fs.readFileSync(path.join(base, entry, f), 'utf8').trim();
      const level = read('level');
      const type = read('type');
      const name = `L${level}${type === 'Data' ? 'd' : type === 'Instruction' ? 'i' : ''}`;
      out[name] = read('size');
    }
  } catch {
    // not Linux or no sysfs: leave empty
  }
  return out;
}

function git(repoDir: string): Environment['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoDir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoDir, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** A Debian package's installed version, or null (not installed, or no dpkg). */
export function debianPackageVersion(pkg: string): string | null {
  try {
    const v = execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return v === '' ? null : v;
  } catch {
    return null;
  }
}

/** The built peer maps and their libraries' versions: the package manager's, and the headers' own. */
export function peerVersions(designs: Array<Pick<DesignInfo, 'name' | 'package' | 'libraryVersion'>>): NonNullable<Environment['peers']> {
  return designs
    .filter((d) => d.package)
    .map((d) => ({ map: d.name, package: d.package!, packageVersion: debianPackageVersion(d.package!), libraryVersion: d.libraryVersion ?? '' }));
}

/**
 * The TSC invariance flags from a /proc/cpuinfo text (its first `flags` line; every CPU of one machine
 * reports the same TSC flags), or null when it has none.
 */
export function tscFlagsFromCpuinfo(text: string): NonNullable<Environment['tscInvariant']> | null {
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  if (line === undefined) return null;
  const flags = new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
  return { constantTsc: flags.has('constant_tsc'), nonstopTsc: flags.has('nonstop_tsc') };
}

function readTscFlags(): Environment['tscInvariant'] {
  try {
    return tscFlagsFromCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return null;
  }
}

export function captureEnvironment(i: EnvironmentInputs): Environment {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    logicalCores: cpus.length,
    caches: readCaches(),
    memoryBytes: os.totalmem(),
    loadAverage: os.loadavg(),
    tscHz: i.tscHz,
    tscInvariant: readTscFlags(),
    node: process.version,
    v8: process.versions.v8,
    build: i.build,
    git: git(i.repoDir),
    commandLine: i.commandLine,
    timerOverheadNs: i.timerOverheadNs,
    peers: peerVersions(i.designs ?? addon.designs()),
  };
}
