// Result files are replaced atomically (write a temporary file in the same
// directory, fsync, rename), so a reader — or a run killed at any instant —
// only ever sees a complete, valid file.
import fs from 'node:fs';
import path from 'node:path';

import { ResultFile, type ResultFile as ResultFileType } from './schema.js';

/**
 * Writes every file to a temporary file beside it (fsync'ed) and renames
 * them into place only when all were written, so a failure leaves neither a
 * half-written file nor a partial set behind, and each file it replaces
 * stays complete until its rename.
 */
export function writeFilesAtomic(files: Map<string, string>): void {
  const staged: Array<{ tmp: string; file: string }> = [];
  try {
    for (const [file, text] of files) {
      const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
      staged.push({ tmp, file });
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const s of staged) fs.renameSync(s.tmp, s.file);
  } catch (e) {
    for (const s of staged) fs.rmSync(s.tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(file: string, data: unknown): void {
  writeFilesAtomic(new Map([[file, `${JSON.stringify(data, null, 1)}\n`]]));
}

/** Validates against the schema before writing: a file we write is always readable. */
export function writeResultFile(file: string, doc: ResultFileType): void {
  writeJsonAtomic(file, ResultFile.parse(doc));
}
