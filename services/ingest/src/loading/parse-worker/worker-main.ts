/** Entry of the parse worker (see worker-rows.ts in this folder for the main thread's side). */
import './shared-subset';
import { parentPort, workerData } from 'node:worker_threads';
import { runParseWorker } from './worker-session';
import type { WorkerData } from './protocol';

runParseWorker(parentPort!, workerData as WorkerData);
