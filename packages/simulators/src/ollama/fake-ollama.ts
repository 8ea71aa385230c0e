/**
 * A scriptable fake Ollama on a real socket (node:http, 127.0.0.1, port 0 by default), serving
 * the shapes of Ollama's public API (docs/api.md, server/routes.go):
 *
 *   GET  /                 "Ollama is running"
 *   GET  /api/version      {"version"}
 *   GET  /api/tags         installed models
 *   GET  /api/ps           loaded models, longest keep_alive first
 *   POST /api/generate     no prompt: load (`done_reason: "load"`), with keep_alive 0: unload;
 *                          with a prompt: a canned answer (NDJSON unless `stream: false`)
 *   POST /api/pull         NDJSON progress (or one JSON object with `stream: false`)
 *   DELETE /api/delete     200 with an empty body, 404 when not installed
 *
 * Scripting: `received` logs every request; `onRequest` hooks see each one first and may answer
 * it themselves; `onEvent` reports loads, unloads, pulls and deletes. Fault switches: `down()`
 * (the port refuses connections) and `up()`, `hang()` (requests are accepted and never
 * answered), `failNextPullAfter(n)`, `slowPull(ms)`, `setModels()`, `setRegistry()`.
 *
 * To extend: add a case to `route()` and a handler method; request bodies get a zod schema in
 * requests.ts and response shapes a builder in models.ts; keep each shape as Ollama's docs give it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendPromptAnswer } from './generate';
import { decodeBody, parseRequest, readBody, sendError, sendJson, sendText } from './http';
import { keepAliveMs } from './keep-alive';
import { ModelStore, type FakeOllamaEvent } from './model-store';
import {
  DEFAULT_INSTALLED_MODELS,
  DEFAULT_REGISTRY_MODELS,
  normalizeModelName,
  psEntry,
  resolveModel,
  tagsEntry,
  type FakeOllamaModel,
  type OllamaPsEntry,
  type OllamaTagsEntry,
} from './models';
import {
  DEFAULT_PULL_ERROR,
  UNKNOWN_MODEL_PULL_ERROR,
  pullProgressLines,
  sendPull,
  type PullProgress,
} from './pull';
import { DeleteBody, GenerateBody, PullBody } from './requests';

export interface FakeOllamaOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Installed models. @default DEFAULT_INSTALLED_MODELS */
  models?: readonly FakeOllamaModel[];
  /** Models a pull can fetch (installed ones can always be pulled again). @default DEFAULT_REGISTRY_MODELS */
  registry?: readonly FakeOllamaModel[];
  /** What `GET /api/version` reports. @default '0.6.8' */
  version?: string;
  /** The clock for timestamps and keep_alive expiry times. @default () => new Date() */
  now?: () => Date;
}

/** One request the fake received. */
export interface ReceivedRequest {
  /** ISO time it arrived. */
  readonly at: string;
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** Parsed JSON; the text when it is not JSON; undefined when empty. */
  readonly body: unknown;
}

/** A response a hook sends instead of the fake's own: an object body is sent as JSON. */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
}

/** Sees a request before the fake handles it; returning a response answers it instead. */
export type RequestHook = (
  request: ReceivedRequest,
) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>;

const ROUTES: Record<string, readonly string[]> = {
  '/': ['GET', 'HEAD'],
  '/api/version': ['GET', 'HEAD'],
  '/api/tags': ['GET', 'HEAD'],
  '/api/ps': ['GET'],
  '/api/generate': ['POST'],
  '/api/pull': ['POST'],
  '/api/delete': ['DELETE'],
};

export class FakeOllama {
  /** Every request so far, oldest first. */
  readonly received: ReceivedRequest[] = [];
  private readonly server: Server;
  private readonly store: ModelStore;
  private readonly requestHooks = new Set<RequestHook>();
  private readonly eventListeners = new Set<(event: FakeOllamaEvent) => void>();
  private readonly held = new Set<ServerResponse>();
  private readonly now: () => Date;
  private readonly version: string;
  private readonly host: string;
  private boundPort: number;
  private listening = false;
  private hanging = false;
  private pullFailure: { after: number; error: string } | undefined;
  private pullDelayMs = 0;

  constructor(options: FakeOllamaOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.version = options.version ?? '0.6.8';
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.store = new ModelStore(
      options.models ?? DEFAULT_INSTALLED_MODELS,
      options.registry ?? DEFAULT_REGISTRY_MODELS,
      this.now,
      (event) => this.eventListeners.forEach((listener) => listener(event)),
    );
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** The port it listens on (the one chosen when it was started on port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** `http://127.0.0.1:<port>`: what OLLAMA_HOST should be. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  /** Installed models as `/api/tags` lists them. */
  get models(): OllamaTagsEntry[] {
    return this.store.installed().map(tagsEntry);
  }

  /** Loaded models as `/api/ps` lists them. */
  get loaded(): OllamaPsEntry[] {
    return this.store.loaded().map(({ model, expiresAt }) => psEntry(model, expiresAt));
  }

  /** Starts listening (again, on the same port, after `down()`); clears `hang()`. */
  async up(): Promise<void> {
    this.hanging = false;
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.boundPort, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  /** Closes the listening socket and every connection: clients get ECONNREFUSED until `up()`. */
  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
    this.server.closeAllConnections();
    await closed;
  }

  /** From now on, requests are accepted (and logged) but never answered, until `up()`. */
  hang(): void {
    this.hanging = true;
  }

  /**
   * The next pull sends `lines` progress lines on its 200 response and then an
   * `{"error": ...}` line (as a download that breaks mid-way does). 0 fails before anything
   * is streamed, which Ollama answers with a 500 and `{"error"}`.
   */
  failNextPullAfter(lines: number, error = DEFAULT_PULL_ERROR): void {
    this.pullFailure = { after: Math.max(0, Math.floor(lines)), error };
  }

  /** Waits `ms` before each pull progress line (0: as fast as possible). */
  slowPull(ms: number): void {
    this.pullDelayMs = Math.max(0, ms);
  }

  /** Replaces the installed models; loaded models that are no longer installed unload. */
  setModels(models: readonly FakeOllamaModel[]): void {
    this.store.setInstalled(models);
  }

  /** Replaces what a pull can fetch. */
  setRegistry(models: readonly FakeOllamaModel[]): void {
    this.store.setRegistry(models);
  }

  /** Adds a hook that sees each request first; returns a function that removes it. */
  onRequest(hook: RequestHook): () => void {
    this.requestHooks.add(hook);
    return () => this.requestHooks.delete(hook);
  }

  /** Adds a listener for loads, unloads, pulls and deletes; returns a function that removes it. */
  onEvent(listener: (event: FakeOllamaEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Stops listening, drops every connection and expiry timer. */
  async close(): Promise<void> {
    await this.down();
    this.store.dispose();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req).catch(() => '');
    // Concatenated, not resolved against a base: a target of `//` (what `/\` becomes) would
    // read as a URL without a host and throw.
    const path = URL.parse(`http://localhost${req.url ?? '/'}`)?.pathname ?? '/';
    const request: ReceivedRequest = {
      at: this.now().toISOString(),
      method: req.method ?? 'GET',
      path,
      body: decodeBody(text),
    };
    this.received.push(request);
    if (this.hanging) {
      this.held.add(res);
      res.once('close', () => this.held.delete(res));
      return;
    }
    try {
      for (const hook of this.requestHooks) {
        const scripted = await hook(request);
        if (scripted) {
          if (typeof scripted.body === 'string') sendText(res, scripted.status, scripted.body);
          else sendJson(res, scripted.status, scripted.body ?? {});
          return;
        }
      }
      await this.route(request.method, path, text, res);
    } catch (error) {
      if (!res.headersSent) sendError(res, 500, error instanceof Error ? error.message : 'error');
      else res.destroy();
    }
  }

  private async route(
    method: string,
    path: string,
    text: string,
    res: ServerResponse,
  ): Promise<void> {
    const methods = ROUTES[path];
    if (!methods) return sendText(res, 404, '404 page not found');
    if (!methods.includes(method)) return sendText(res, 405, '405 method not allowed');
    switch (path) {
      case '/':
        return sendText(res, 200, 'Ollama is running');
      case '/api/version':
        return sendJson(res, 200, { version: this.version });
      case '/api/tags':
        return sendJson(res, 200, { models: this.models });
      case '/api/ps':
        return sendJson(res, 200, { models: this.loaded });
      case '/api/generate':
        return this.generate(text, res);
      case '/api/pull':
        return this.pull(text, res);
      default:
        return this.delete(text, res);
    }
  }

  private async generate(text: string, res: ServerResponse): Promise<void> {
    const body = parseRequest(GenerateBody, text);
    if (!body.ok) return sendError(res, 400, body.error);
    const { model: name, prompt, stream, keep_alive } = body.value;
    if (name.trim() === '') return sendError(res, 400, 'model is required');
    const model = this.store.find(name);
    // Ollama 0.1–0.6 (handleScheduleError); newer releases say `model 'x' not found`.
    if (!model) return sendError(res, 404, `model "${name}" not found, try pulling it first`);
    const keepAlive = keepAliveMs(keep_alive);
    if (keepAlive instanceof Error) return sendError(res, 400, keepAlive.message);

    if (!prompt) {
      this.store.load(model, keepAlive);
      const reason = keepAlive === 0 ? 'unload' : 'load';
      return sendJson(res, 200, {
        model: name,
        created_at: this.now().toISOString(),
        response: '',
        done: true,
        done_reason: reason,
      });
    }
    // With a prompt the model loads, answers, and keep_alive 0 unloads it right after.
    this.store.load(model, Math.max(keepAlive, 1));
    if (keepAlive === 0) this.store.unload(model.name, 'request');
    await sendPromptAnswer(res, { model: name, prompt, stream: stream !== false }, this.now);
  }

  private async pull(text: string, res: ServerResponse): Promise<void> {
    const body = parseRequest(PullBody, text);
    if (!body.ok) return sendError(res, 400, body.error);
    const requested = (body.value.model ?? body.value.name ?? '').trim();
    if (requested === '') return sendError(res, 400, 'invalid model name');
    const name = normalizeModelName(requested);
    const source = this.store.findPullable(name);

    let lines: PullProgress[];
    let error: string | undefined;
    if (source) {
      lines = pullProgressLines(resolveModel({ ...source, name }, this.now()));
      const failure = this.pullFailure;
      if (failure) {
        // The error replaces the tail, never `success` itself.
        lines = lines.slice(0, Math.min(failure.after, lines.length - 1));
        error = failure.error;
      }
    } else {
      lines = [{ status: 'pulling manifest' }];
      error = UNKNOWN_MODEL_PULL_ERROR;
    }
    this.pullFailure = undefined;

    const outcome = await sendPull(res, lines, error, {
      stream: body.value.stream !== false,
      delayMs: this.pullDelayMs,
    });
    if (outcome === 'failed') {
      this.emit({ type: 'pull_failed', model: name, error: error ?? '' });
    } else if (outcome === 'success' && source) {
      this.store.install({ ...source, name });
      this.emit({ type: 'pulled', model: name });
    }
  }

  private delete(text: string, res: ServerResponse): void {
    const body = parseRequest(DeleteBody, text);
    if (!body.ok) return sendError(res, 400, body.error);
    const name = (body.value.model ?? body.value.name ?? '').trim();
    if (name === '') return sendError(res, 400, 'invalid model name');
    if (!this.store.remove(name)) return sendError(res, 404, `model '${name}' not found`);
    this.emit({ type: 'deleted', model: normalizeModelName(name) });
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  }

  private emit(event: FakeOllamaEvent): void {
    this.eventListeners.forEach((listener) => listener(event));
  }
}

/** Starts a fake Ollama and resolves once it listens (on a free port unless `port` is given). */
export async function createFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const ollama = new FakeOllama(options);
  await ollama.up();
  return ollama;
}
