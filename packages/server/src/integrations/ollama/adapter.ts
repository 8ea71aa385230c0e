/**
 * The Ollama adapter: Ollama's HTTP API (docs/api.md) on an injected `fetch`, answering in the
 * seed's shapes. list is `GET /api/tags`; loaded is `GET /api/ps` (with `size_vram` and
 * `expires_at`); load is `POST /api/generate` without a prompt, unload the same with
 * `keep_alive: 0`; delete is `DELETE /api/delete`; pull is `POST /api/pull`, whose NDJSON answer
 * is read line by line. A pull fails on an `{"error"}` line even after its 200, and on silence
 * longer than the time limit; its `signal` cancels it.
 */
import { MarqueeError, type protocol } from '@marquee/sdk';
import {
  CancelledError,
  ollamaMessage,
  pullError,
  responseError,
  timedOut,
  unreachable,
} from './errors';
import { humanBytes, processorLabel, shortId } from './format';
import { ndjsonLines } from './ndjson';
import { PullProgress, type PullUpdate } from './pull-progress';
import { callOllama, readText, type OllamaCall, type OllamaTransport } from './request';
import { PsResponse, PullLine, TagsResponse } from './upstream';
import type { z } from 'zod';

type KeepAlive = protocol.gpu.KeepAlive;

export interface OllamaAdapterOptions {
  /** Ollama's base URL without a trailing slash (config.ollamaHost). */
  readonly host: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one call, and for the silence between two lines of a pull.
   * @default 120000
   */
  readonly timeoutMs?: number;
  /**
   * `keep_alive` for loads that name none.
   * @default undefined (not sent: Ollama's own default applies)
   */
  readonly keepAlive?: KeepAlive;
}

export interface PullOptions {
  /** Aborting it cancels the download (the promise rejects with `CancelledError`). */
  readonly signal?: AbortSignal;
  /** Called for every progress line, in order. */
  readonly onProgress?: (update: PullUpdate) => void;
}

export interface OllamaAdapter {
  readonly host: string;
  list(): Promise<protocol.gpu.OllamaModelList>;
  loaded(): Promise<protocol.gpu.OllamaLoadedList>;
  /** Loads `model` into memory; resolves once Ollama reports it loaded. */
  load(model: string, keepAlive?: KeepAlive): Promise<void>;
  /** Unloads `model` at once (also when it was not loaded). */
  unload(model: string): Promise<void>;
  delete(model: string): Promise<void>;
  /** Downloads `model`; resolves on Ollama's `success`. */
  pull(model: string, options?: PullOptions): Promise<void>;
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The fields every model entry shares, from either list (`/api/tags` or `/api/ps`). */
function modelFields(m: { readonly name: string; readonly digest: string; readonly size: number }) {
  return {
    name: m.name,
    id: shortId(m.digest),
    size: humanBytes(m.size),
    size_bytes: Math.round(m.size),
  };
}

export function createOllamaAdapter(options: OllamaAdapterOptions): OllamaAdapter {
  const transport: OllamaTransport = {
    host: options.host,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 120_000,
  };

  /** A call whose JSON answer (if any) is returned; non-2xx answers throw. */
  async function json(call: OllamaCall, model?: string): Promise<unknown> {
    const response = await callOllama(transport, call);
    const text = await readText(transport, response, call.what);
    if (!response.ok) throw responseError(response.status, text, call.what, model);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new MarqueeError('UPSTREAM_ERROR', `Ollama answered ${call.what} with non-JSON`, {
        status: 502,
        cause: error,
      });
    }
  }

  function unexpected(what: string, error: unknown): MarqueeError {
    return new MarqueeError('UPSTREAM_ERROR', `Ollama answered ${what} in an unexpected shape`, {
      status: 502,
      cause: error,
    });
  }

  /** A GET whose JSON answer must have `schema`'s shape. */
  async function get<T>(schema: z.ZodType<T>, path: string, what: string): Promise<T> {
    const parsed = schema.safeParse(await json({ method: 'GET', path, what }));
    if (!parsed.success) throw unexpected(what, parsed.error);
    return parsed.data;
  }

  const generate = async (model: string, keepAlive: KeepAlive | undefined, what: string) => {
    const body = {
      model,
      stream: false,
      ...(keepAlive === undefined ? {} : { keep_alive: keepAlive }),
    };
    await json({ method: 'POST', path: '/api/generate', body, what }, model);
  };

  return {
    host: options.host,

    async list() {
      const tags = await get(TagsResponse, '/api/tags', 'the model list');
      const models = (tags.models ?? []).map((m) => {
        const modified = isoOrUndefined(m.modified_at);
        return {
          ...modelFields(m),
          ...(modified === undefined ? {} : { modified_at: modified }),
        };
      });
      return { models, count: models.length };
    },

    async loaded() {
      const ps = await get(PsResponse, '/api/ps', 'the loaded models');
      const models = (ps.models ?? []).map((m) => {
        const expires = isoOrUndefined(m.expires_at);
        return {
          ...modelFields(m),
          processor: processorLabel(m.size, m.size_vram),
          ...(m.size_vram === undefined ? {} : { size_vram: Math.round(m.size_vram) }),
          ...(expires === undefined ? {} : { expires_at: expires }),
        };
      });
      return { models, count: models.length };
    },

    load: (model, keepAlive) => generate(model, keepAlive ?? options.keepAlive, `load "${model}"`),

    unload: (model) => generate(model, 0, `unload "${model}"`),

    async delete(model) {
      await json(
        { method: 'DELETE', path: '/api/delete', body: { model }, what: `delete "${model}"` },
        model,
      );
    },

    async pull(model, pullOptions = {}) {
      const what = `the download of "${model}"`;
      const idle = new AbortController();
      const signal = pullOptions.signal
        ? AbortSignal.any([pullOptions.signal, idle.signal])
        : idle.signal;
      let timer = setTimeout(() => idle.abort(), transport.timeoutMs);
      const alive = () => {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(), transport.timeoutMs);
      };
      try {
        const response = await callOllama(transport, {
          method: 'POST',
          path: '/api/pull',
          body: { model, stream: true },
          what,
          signal,
        });
        if (!response.ok) {
          const text = await readText(transport, response, what);
          if (response.status === 400) throw responseError(400, text, what, model);
          throw pullError(model, ollamaMessage(response.status, text));
        }
        if (!response.body)
          throw new MarqueeError('UPSTREAM_ERROR', `Ollama sent no body for ${what}`, {
            status: 502,
          });
        const progress = new PullProgress();
        for await (const text of ndjsonLines(response.body, signal)) {
          alive();
          let line: PullLine;
          try {
            line = PullLine.parse(JSON.parse(text));
          } catch (error) {
            throw unexpected(what, error);
          }
          if (line.error !== undefined) throw pullError(model, line.error);
          const update = progress.update(line);
          pullOptions.onProgress?.(update);
          if (update.done) return;
        }
        throw new MarqueeError('UPSTREAM_ERROR', `Ollama ended ${what} before it finished`, {
          status: 502,
        });
      } catch (error) {
        if (idle.signal.aborted) throw timedOut(transport.host, what, transport.timeoutMs);
        if (pullOptions.signal?.aborted)
          throw new CancelledError(`Download of "${model}" cancelled`);
        if (error instanceof MarqueeError || error instanceof CancelledError) throw error;
        throw unreachable(transport.host, error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
