/**
 * A problem with what the user asked for (flags, files): printed as one line
 * on stderr, exit code 2, nothing written.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_USAGE = 2;
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;
