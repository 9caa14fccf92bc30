// Where `b0s search` runs searchRecording: a pool of worker threads when the bundle has
// the worker (dist/search-worker.cjs beside dist/b0s.cjs), else the main thread (as when
// the sources run under the test runner). Workers start as work arrives, up to the
// number asked for.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { CancelledError } from '../errors';
import { searchRecording, type SearchRequest, type SearchResult } from './search';
import type { WorkerReply, WorkerRequest } from './search-worker';

export interface Searcher {
  /** How many worker threads it may use; 0 for the main thread. */
  readonly threads: number;
  search(req: SearchRequest, signal: AbortSignal): Promise<SearchResult>;
  close(): Promise<void>;
}

export function workerFile(): string | undefined {
  // This code is in dist/ or, split off by the build, in dist/chunks/.
  return [__dirname, path.dirname(__dirname)].map((dir) => path.join(dir, 'search-worker.cjs')).find((file) => existsSync(file));
}

export function createSearcher(threads: number): Searcher {
  const file = threads > 0 ? workerFile() : undefined;
  if (!file) {
    return { threads: 0, search: (req, signal) => searchRecording(req, signal), close: async () => {} };
  }
  return new WorkerPool(file, threads);
}

interface Job {
  msg: WorkerRequest;
  transfer: ArrayBuffer;
  resolve(result: SearchResult): void;
  reject(err: unknown): void;
}

class WorkerPool implements Searcher {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, { job: Job; worker: Worker }>();
  private nextId = 1;
  private closed = false;
  /** Workers being started. */
  private starting = 0;

  constructor(
    private readonly file: string,
    readonly threads: number,
  ) {}

  search(req: SearchRequest, signal: AbortSignal): Promise<SearchResult> {
    if (signal.aborted) return Promise.reject(signal.reason);
    // The worker gets its own copy of the bytes, moved rather than copied again.
    const body = new Uint8Array(req.body);
    return new Promise((resolve, reject) => {
      const job: Job = { msg: { id: this.nextId++, req: { ...req, body } }, transfer: body.buffer as ArrayBuffer, resolve, reject };
      this.queue.push(job);
      this.dispatch();
    });
  }

  private async spawn(): Promise<Worker> {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(this.file);
    worker.on('message', (reply: WorkerReply) => {
      const running = this.running.get(reply.id);
      if (!running) return;
      this.running.delete(reply.id);
      if ('error' in reply) running.job.reject(new Error(reply.error));
      else running.job.resolve(reply.result);
      this.idle.push(worker);
      this.dispatch();
    });
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(worker, new Error(`a search worker stopped (exit code ${code})`));
    });
    this.all.push(worker);
    return worker;
  }

  private fail(worker: Worker, err: unknown): void {
    for (const [id, r] of this.running) {
      if (r.worker !== worker) continue;
      this.running.delete(id);
      r.job.reject(err);
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop();
      if (!worker) {
        if (this.all.length + this.starting < this.threads) {
          this.starting++;
          void this.spawn().then((w) => {
            this.starting--;
            this.idle.push(w);
            this.dispatch();
          }, (err) => {
            this.starting--;
            this.queue.shift()?.reject(err);
          });
        }
        return;
      }
      const job = this.queue.shift()!;
      this.running.set(job.msg.id, { job, worker });
      worker.postMessage(job.msg, [job.transfer]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new CancelledError('interrupted'));
    for (const { job } of this.running.values()) job.reject(new CancelledError('interrupted'));
    this.running.clear();
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
