/** The Ollama integration: a typed adapter on `fetch` and the shared, cancellable downloads. */
export {
  createOllamaAdapter,
  type OllamaAdapter,
  type OllamaAdapterOptions,
  type PullOptions,
} from './adapter';
export { Downloads, modelKey, type DownloadsOptions, type StartedDownload } from './downloads';
export { CancelledError } from './errors';
export { humanBytes, processorLabel, shortId } from './format';
export { PullProgress, type PullUpdate } from './pull-progress';
