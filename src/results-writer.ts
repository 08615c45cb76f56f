// Result files are replaced atomically (write a temporary file in the same
// directory, fsync, rename), so a reader — or a run killed at any instant —
// only ever sees a complete, valid file.
import fs from 'node:fs';
import path from 'node:path';

import { ResultFile, type ResultFile as ResultFileType } from './schema.js';

export function writeJsonAtomic(file: string, data: unknown): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const text = `${JSON.stringify(data, null, 1)}\n`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Validates against the schema before writing: a file we write is always readable. */
export function writeResultFile(file: string, doc: ResultFileType): void {
  writeJsonAtomic(file, ResultFile.parse(doc));
}
