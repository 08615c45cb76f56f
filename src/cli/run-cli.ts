// What every mapbench command shares: turning commander's parse errors into
// usage errors, and turning a command's outcome into one line on stderr and
// an exit code (2 for usage errors, never a stack trace for bad input).
import { type Command, CommanderError } from 'commander';

import { EXIT_USAGE, UsageError } from '../errors.js';

/**
 * Parses argv with `cmd` (built with exitOverride). Returns null when --help
 * was printed; an unknown flag or a missing argument becomes a UsageError.
 */
export function parseArgs<T extends object>(cmd: Command, argv: string[]): T | null {
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return null;
      throw new UsageError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  return cmd.opts() as T;
}

/** Errors a command reports as one line with exit code 2, besides UsageError. */
export type UsageLike = new (...args: never[]) => Error;

/**
 * Runs a command's main and exits with its code. UsageError (and any class in
 * `usageErrors`) prints `<name>: error: message` and exits 2; anything else is
 * an internal error (exit 1, with its stack, since it is a bug).
 */
export function runCli(name: string, main: (argv: string[]) => number | Promise<number>, usageErrors: UsageLike[] = []): void {
  // Output piped into a reader that stops early (| head) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => process.exit(code),
      (e: unknown) => {
        if (e instanceof UsageError || usageErrors.some((c) => e instanceof c)) {
          process.stderr.write(`${name}: error: ${(e as Error).message}\n`);
          process.exit(EXIT_USAGE);
        }
        process.stderr.write(`${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
      },
    );
}
