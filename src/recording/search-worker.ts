// A worker thread of `b0s search` (bundled as dist/search-worker.cjs): it renders and
// searches one recording per message, so that rendering, the costly part, runs on every
// core while the main thread downloads the next recordings.
import { parentPort } from 'node:worker_threads';
import { searchRecording, type SearchRequest } from './search';

export interface WorkerRequest {
  id: number;
  req: SearchRequest;
}

export type WorkerReply = { id: number; result: Awaited<ReturnType<typeof searchRecording>> } | { id: number; error: string };

parentPort?.on('message', (msg: WorkerRequest) => {
  searchRecording(msg.req).then(
    (result) => parentPort!.postMessage({ id: msg.id, result } satisfies WorkerReply),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});
