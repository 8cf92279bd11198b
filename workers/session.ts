/** Thread entry point of a remote training session (src/parallel/session.ts), exposed over comlink. */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { nodeEndpoint } from '../src/parallel/nodeEndpoint.js';
import { Session } from '../src/parallel/session.js';

if (!parentPort) throw new Error('workers/session.js must run in a worker thread');
Comlink.expose(new Session(), nodeEndpoint(parentPort));
