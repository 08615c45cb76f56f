// The piscina worker: one benchmark thread per task. It only forwards to
// the addon, whose runWorker blocks this thread for the whole run.
import { threadId } from 'node:worker_threads';

import { addon, type WorkerResult, type WorkerSpec } from './native.js';

export interface ThreadTask {
  mapId: number;
  control: Int32Array;
  spec: WorkerSpec;
  /** Fault injection for tests: this worker thread dies instead of running. */
  die?: boolean;
}

export default function runThread(task: ThreadTask): WorkerResult {
  // process.exit in a worker ends that worker thread only, as a crash would.
  if (task.die) process.exit(1);
  return addon.runWorker(task.mapId, task.control, task.spec);
}

/** Warm-up task: loads the addon in this worker and says which worker it is. */
export function ping(): number {
  return threadId;
}

