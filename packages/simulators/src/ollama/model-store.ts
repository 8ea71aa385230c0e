/**
 * What the fake Ollama has installed, can pull, and holds loaded, with Ollama's keep_alive
 * expiry (a loaded model unloads itself when its time is up). Changes are reported as events so a
 * fake GPU host can follow the VRAM a model takes (see link-ollama.ts).
 */
import { FOREVER_MS } from './keep-alive';
import {
  normalizeModelName,
  resolveModel,
  sameModel,
  type FakeOllamaModel,
  type ResolvedModel,
} from './models';

/** What changed in the fake Ollama's models. */
export type FakeOllamaEvent =
  | { type: 'loaded'; model: string; vramBytes: number; expiresAt: string }
  | { type: 'unloaded'; model: string; vramBytes: number; reason: 'request' | 'expired' }
  | { type: 'pulled'; model: string }
  | { type: 'pull_failed'; model: string; error: string }
  | { type: 'deleted'; model: string };

interface Loaded {
  model: ResolvedModel;
  expiresAt: Date;
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout's ceiling (about 24.8 days); longer keep_alives get no timer and just stay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ModelStore {
  private installedModels: ResolvedModel[];
  private registryModels: FakeOllamaModel[];
  private readonly loadedModels = new Map<string, Loaded>();

  constructor(
    installed: readonly FakeOllamaModel[],
    registry: readonly FakeOllamaModel[],
    private readonly now: () => Date,
    private readonly emit: (event: FakeOllamaEvent) => void,
  ) {
    // One instant for all: models given without a time tie and keep their order in `installed()`
    // (a clock tick between two of them reordered the list).
    const at = now();
    this.installedModels = installed.map((m) => resolveModel(m, at));
    this.registryModels = [...registry];
  }

  /** Installed models, most recently modified first (as `/api/tags` lists them). */
  installed(): ResolvedModel[] {
    return [...this.installedModels].sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
  }

  find(name: string): ResolvedModel | undefined {
    return this.installedModels.find((m) => sameModel(m.name, name));
  }

  /** What a pull of `name` would install: the registry's model, else the installed one. */
  findPullable(name: string): FakeOllamaModel | undefined {
    return this.registryModels.find((m) => sameModel(m.name, name)) ?? this.find(name);
  }

  setInstalled(models: readonly FakeOllamaModel[]): void {
    this.installedModels = models.map((m) => resolveModel(m, this.now()));
    for (const key of [...this.loadedModels.keys()]) {
      if (!this.find(key)) this.unload(key, 'request');
    }
  }

  setRegistry(models: readonly FakeOllamaModel[]): void {
    this.registryModels = [...models];
  }

  /** Installs (or refreshes) a pulled model. */
  install(model: FakeOllamaModel): ResolvedModel {
    const resolved = resolveModel({ ...model, modifiedAt: this.now().toISOString() }, this.now());
    this.installedModels = this.installedModels.filter((m) => !sameModel(m.name, model.name));
    this.installedModels.push(resolved);
    return resolved;
  }

  remove(name: string): boolean {
    const before = this.installedModels.length;
    this.installedModels = this.installedModels.filter((m) => !sameModel(m.name, name));
    return this.installedModels.length !== before;
  }

  /** Loads `model` (or renews its keep_alive) for `keepAliveMs`; 0 unloads it. */
  load(model: ResolvedModel, keepAliveMs: number): void {
    if (keepAliveMs === 0) {
      this.unload(model.name, 'request');
      return;
    }
    const key = model.name.toLowerCase();
    const previous = this.loadedModels.get(key);
    if (previous?.timer) clearTimeout(previous.timer);
    const expiresAt = new Date(this.now().getTime() + Math.min(keepAliveMs, FOREVER_MS));
    const timer =
      keepAliveMs <= MAX_TIMER_MS
        ? setTimeout(() => this.unload(key, 'expired'), keepAliveMs).unref()
        : undefined;
    this.loadedModels.set(key, { model, expiresAt, timer });
    if (!previous) {
      this.emit({
        type: 'loaded',
        model: model.name,
        vramBytes: model.vramSize,
        expiresAt: expiresAt.toISOString(),
      });
    }
  }

  unload(name: string, reason: 'request' | 'expired'): void {
    const key = normalizeModelName(name).toLowerCase();
    const entry = this.loadedModels.get(key);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.loadedModels.delete(key);
    this.emit({
      type: 'unloaded',
      model: entry.model.name,
      vramBytes: entry.model.vramSize,
      reason,
    });
  }

  /** Loaded models, the longest time left first (as `/api/ps` lists them). */
  loaded(): { model: ResolvedModel; expiresAt: Date }[] {
    return [...this.loadedModels.values()]
      .map(({ model, expiresAt }) => ({ model, expiresAt }))
      .sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime());
  }

  /** Stops every expiry timer (the fake is closing); nothing is reported. */
  dispose(): void {
    for (const entry of this.loadedModels.values()) {
      if (entry.timer) clearTimeout(entry.timer);
    }
  }
}
