/** Thread entry point of one `gradpool compare` configuration run concurrently (src/cli/concurrentRuns.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { serveCompareRun, type CompareJob } from '../src/cli/concurrentRuns.js';

if (!parentPort) throw new Error('workers/compareRun.js must run in a worker thread');
await serveCompareRun(workerData as CompareJob, parentPort);
