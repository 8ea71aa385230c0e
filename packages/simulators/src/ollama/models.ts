/**
 * Models as the fake Ollama knows them, and the JSON shapes Ollama's API gives them
 * (docs/api.md: `GET /api/tags`, `GET /api/ps`). Names are normalised as Ollama does: a name
 * without a tag means `:latest`, and matching ignores case.
 */
import { createHash } from 'node:crypto';

const MiB = 2 ** 20;

/** A model the fake has installed, or can pull. */
export interface FakeOllamaModel {
  /** `llama3.2:latest`; a name without a tag gets `:latest`. */
  name: string;
  /** Bytes on disk (the sum of its layers). */
  size: number;
  /** e.g. `llama`. */
  family: string;
  /** e.g. `3.2B`. */
  parameterSize: string;
  /** e.g. `Q4_K_M`. */
  quantizationLevel: string;
  /** @default [family] */
  families?: string[];
  /** @default 'gguf' */
  format?: string;
  /** The manifest digest (64 hex digits, no `sha256:` prefix). @default derived from the name */
  digest?: string;
  /** ISO time. @default when the fake learnt of it */
  modifiedAt?: string;
  /** Bytes in memory once loaded (`size` in `/api/ps`). @default size + 512 MiB of context */
  loadedSize?: number;
  /** Bytes of that in VRAM (`size_vram`). @default all of `loadedSize` */
  vramSize?: number;
}

/** Ollama's `details` object. */
export interface OllamaModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

/** One entry of `GET /api/tags`. */
export interface OllamaTagsEntry {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
}

/** One entry of `GET /api/ps`. */
export interface OllamaPsEntry {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
  expires_at: string;
  size_vram: number;
}

/** Installed by default: a small chat model, a 7B one and an embedding model. */
export const DEFAULT_INSTALLED_MODELS: readonly FakeOllamaModel[] = [
  {
    name: 'llama3.2:latest',
    size: 2_019_393_189,
    family: 'llama',
    parameterSize: '3.2B',
    quantizationLevel: 'Q4_K_M',
  },
  {
    name: 'qwen2.5:7b',
    size: 4_683_087_332,
    family: 'qwen2',
    parameterSize: '7.6B',
    quantizationLevel: 'Q4_K_M',
  },
  {
    name: 'nomic-embed-text:latest',
    size: 274_302_450,
    family: 'nomic-bert',
    parameterSize: '137M',
    quantizationLevel: 'F16',
  },
];

/** Pullable by default (besides the installed ones). */
export const DEFAULT_REGISTRY_MODELS: readonly FakeOllamaModel[] = [
  {
    name: 'mistral:latest',
    size: 4_113_301_824,
    family: 'llama',
    parameterSize: '7.2B',
    quantizationLevel: 'Q4_0',
  },
  {
    name: 'gemma2:2b',
    size: 1_629_518_495,
    family: 'gemma2',
    parameterSize: '2.6B',
    quantizationLevel: 'Q4_0',
  },
  {
    name: 'tinyllama:latest',
    size: 637_700_138,
    family: 'llama',
    parameterSize: '1B',
    quantizationLevel: 'Q4_0',
  },
];

/** `llama3.2` -> `llama3.2:latest`; a tag after the last `/` is kept. */
export function normalizeModelName(name: string): string {
  const trimmed = name.trim();
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}

export function sameModel(a: string, b: string): boolean {
  return normalizeModelName(a).toLowerCase() === normalizeModelName(b).toLowerCase();
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A model with every default filled in. */
export type ResolvedModel = Required<FakeOllamaModel>;

export function resolveModel(model: FakeOllamaModel, now: Date): ResolvedModel {
  const name = normalizeModelName(model.name);
  const loadedSize = model.loadedSize ?? model.size + 512 * MiB;
  return {
    name,
    size: model.size,
    family: model.family,
    parameterSize: model.parameterSize,
    quantizationLevel: model.quantizationLevel,
    families: model.families ?? [model.family],
    format: model.format ?? 'gguf',
    digest: model.digest ?? sha256Hex(`manifest:${name}`),
    modifiedAt: model.modifiedAt ?? now.toISOString(),
    loadedSize,
    vramSize: model.vramSize ?? loadedSize,
  };
}

export function details(model: ResolvedModel): OllamaModelDetails {
  return {
    parent_model: '',
    format: model.format,
    family: model.family,
    families: model.families,
    parameter_size: model.parameterSize,
    quantization_level: model.quantizationLevel,
  };
}

export function tagsEntry(model: ResolvedModel): OllamaTagsEntry {
  return {
    name: model.name,
    model: model.name,
    modified_at: model.modifiedAt,
    size: model.size,
    digest: model.digest,
    details: details(model),
  };
}

export function psEntry(model: ResolvedModel, expiresAt: Date): OllamaPsEntry {
  return {
    name: model.name,
    model: model.name,
    size: model.loadedSize,
    digest: model.digest,
    details: details(model),
    expires_at: expiresAt.toISOString(),
    size_vram: model.vramSize,
  };
}

/** One blob of a model, as a pull downloads it. */
export interface ModelLayer {
  /** `sha256:<64 hex>`. */
  digest: string;
  size: number;
}

/**
 * The blobs a pull of `model` fetches, summing to its size: the weights, then the small
 * template, license, params and config blobs real manifests carry.
 */
export function modelLayers(model: ResolvedModel): ModelLayer[] {
  const small = [1_429, 7_711, 96, 561].map((size) => Math.min(size, model.size));
  const smallTotal = small.reduce((sum, size) => sum + size, 0);
  const sizes = [Math.max(0, model.size - smallTotal), ...small];
  return sizes.map((size, i) => ({
    digest: `sha256:${sha256Hex(`${model.name}:layer:${i}`)}`,
    size,
  }));
}
