// Reading result files, for every reader (compare, report). Every way a file
// can be wrong — missing, unreadable, empty, truncated, not JSON, not a
// mapbench result, another schema version, not matching the schema —
// becomes one UsageError line naming the file.
import fs from 'node:fs';

import { UsageError } from './errors.js';
import { parseResultFile, type ResultFile, ResultFileError } from './schema.js';

/** A parsed result document and the name it was read under. */
export interface NamedResult {
  name: string;
  doc: ResultFile;
}

function readFailure(file: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file' :
    code === 'EACCES' ? 'permission denied' :
    code === 'EISDIR' ? 'it is a directory' :
    code ?? (e instanceof Error ? e.message : String(e));
  return new UsageError(`cannot read ${file}: ${why}`);
}

/** Parses the text of a result file; `file` names it in messages. */
export function parseResultText(text: string, file: string): NamedResult {
  if (text.trim() === '') throw new UsageError(`${file} is empty`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error, newlines included: keep it to one short line.
    const full = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
    const message = full.length > 160 ? `${full.slice(0, 157)}...` : full;
    const at = /at position (\d+)/.exec(message);
    const truncated = /end of JSON input/.test(message) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new UsageError(truncated ? `${file} is truncated: its JSON ends early` : `${file} is not valid JSON: ${message}`);
  }
  try {
    return { name: file, doc: parseResultFile(data, file) };
  } catch (e) {
    if (e instanceof ResultFileError) throw new UsageError(e.message);
    throw e;
  }
}

export function readResultFile(file: string): NamedResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw readFailure(file, e);
  }
  return parseResultText(text, file);
}
