/**
 * The browser bundles whose size `npm run size` reports, and how one is built: esbuild the way an
 * app bundler would (platform browser, minified ESM, isomorphic-ws's browser build, zod included
 * since every message is validated), gzipped at level 9. Shared by the report (`scripts/size.ts`)
 * and by the import-graph test (`scripts/test/panel-bundle.test.ts`), so both look at the same
 * panel app.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sdk = './packages/sdk/src';

export interface Variant {
  readonly id: string;
  readonly what: string;
  /** The entry module's source, resolved from the repository root. */
  readonly entry: string;
}

export interface Measured extends Variant {
  readonly min: number;
  readonly gzip: number;
  /** Minified bytes per package (`sdk` for Marquee's own sources). */
  readonly byPackage: ReadonlyMap<string, number>;
  /** Every module in the bundle, as esbuild's metafile names it (relative to the root). */
  readonly inputs: readonly string[];
}

/** The headline: what a Now Playing panel app ships. */
export const panelApp: Variant = {
  id: 'panel',
  what: 'a panel app: createPanelClient (every profile, REST fallback) and what it needs',
  entry: `export { createPanelClient } from '${sdk}/clients/index.ts';`,
};

/** The headline first, then the variants that explain where the bytes go. */
export const variants: readonly Variant[] = [
  panelApp,
  {
    id: 'transport-clients',
    what: 'transport + clients, every export of both (TokenManager and the player client bring classic zod)',
    entry: [
      `export * from '${sdk}/transport/index.ts';`,
      `export * from '${sdk}/clients/index.ts';`,
    ].join('\n'),
  },
  {
    id: 'socket',
    what: 'the socket alone (createSocket; no protocol schemas, caller brings one)',
    entry: `export { createSocket } from '${sdk}/transport/index.ts';`,
  },
  {
    id: 'socket-zod-mini',
    what: 'floor: the socket + a small zod/mini object schema (`import * as z`)',
    entry: [
      `import * as z from 'zod/mini';`,
      `import { createSocket } from '${sdk}/transport/index.ts';`,
      `const Message = z.object({ type: z.literal('stats'), cpu: z.number(), at: z.nullable(z.string()) });`,
      `export const open = (url: string) => createSocket({ url, incoming: Message });`,
    ].join('\n'),
  },
];

/** The budget for the panel client imported from the root entry, min+gzip. */
export const PANEL_BUDGET_BYTES = 15 * 1024;

/**
 * What an app importing the packed package ships (`npm run size`): each entry is resolved in a
 * fresh project that installed the `npm pack` tarball (scripts/packed/project.ts).
 */
export const packedVariants: readonly Variant[] = [
  ...(
    [
      ['panel', 'a panel app', 'createPanelClient'],
      ['player', 'a player app', 'createPlayerClient'],
      ['gpu', 'a GPU dashboard', 'createGpuClient'],
      ['media-stack', 'a media-stack dashboard', 'createMediaStackClient'],
      ['signage-admin', 'a signage admin app', 'createSignageAdminClient'],
      ['accounts', 'an accounts app (session, users, display tokens)', 'createAccountsClient'],
      ['socket', 'the socket alone (caller brings a schema)', 'createSocket'],
    ] as const
  ).map(([id, app, name]) => ({
    id,
    what: `${app}: \`import { ${name} } from '@marquee/sdk'\``,
    entry: `export { ${name} } from '@marquee/sdk';`,
  })),
  {
    id: 'everything',
    what: "everything on the root entry: `import * as sdk from '@marquee/sdk'`, all of it used",
    entry: `export * as sdk from '@marquee/sdk';`,
  },
  {
    id: 'eventemitter3',
    what: 'eventemitter3 on its own (the emitter the clients use)',
    entry: `export { EventEmitter } from 'eventemitter3';`,
  },
];

/**
 * The smallest emitter that does what the SDK's typed face asks of eventemitter3 (`on`/`once`
 * with a `this` context, `off`, `removeAllListeners`, `emit` over a copy of the listeners): the
 * stand-in the 1 KB rule for keeping the library is measured against, in every run.
 */
const STAND_IN_EMITTER = `export class EventEmitter {
  #l = new Map();
  #add(e, fn, ctx, once) { const a = this.#l.get(e) ?? []; a.push({ fn, ctx, once }); this.#l.set(e, a); return this; }
  on(e, fn, ctx) { return this.#add(e, fn, ctx, false); }
  once(e, fn, ctx) { return this.#add(e, fn, ctx, true); }
  off(e, fn) { const a = (this.#l.get(e) ?? []).filter((x) => x.fn !== fn); if (a.length) this.#l.set(e, a); else this.#l.delete(e); return this; }
  removeAllListeners(e) { if (e === undefined) this.#l.clear(); else this.#l.delete(e); return this; }
  listenerCount(e) { return (this.#l.get(e) ?? []).length; }
  emit(e, ...args) { const a = this.#l.get(e); if (!a) return false; for (const x of [...a]) { if (x.once) this.off(e, x.fn); x.fn.apply(x.ctx, args); } return true; }
}`;

/** Resolves `eventemitter3` to the stand-in above. */
export const standInEmitter: Plugin = {
  name: 'stand-in-emitter',
  setup(plugin) {
    plugin.onResolve({ filter: /^eventemitter3$/ }, () => ({
      path: 'eventemitter3',
      namespace: 'stand-in',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
      contents: STAND_IN_EMITTER,
      loader: 'js',
    }));
  },
};

/** Bundles `variant` with its imports resolved from `resolveDir` (the repository by default). */
export async function measure(
  variant: Variant,
  resolveDir: string = root,
  plugins: Plugin[] = [],
): Promise<Measured> {
  const result = await build({
    plugins,
    stdin: { contents: variant.entry, resolveDir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${variant.id}`);
  const output = Object.values(result.metafile.outputs)[0];
  return {
    ...variant,
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    byPackage: bytesByPackage(output),
    inputs: Object.keys(output?.inputs ?? {}),
  };
}

/**
 * The zod modules in `inputs` that are not zod core or zod/mini: classic zod (`zod`, `zod/v4`,
 * `zod/v4/classic/...`), its locales or JSON Schema tooling.
 */
export function nonMiniZodModules(inputs: readonly string[]): string[] {
  return inputs.filter(
    (path) =>
      /(^|\/)node_modules\/zod\//.test(path) &&
      !/(^|\/)node_modules\/zod\/(v4\/core|v4\/mini|mini)\//.test(path),
  );
}

function bytesByPackage(output: Metafile['outputs'][string] | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'sdk';
    sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
  }
  return new Map([...sizes].sort((a, b) => b[1] - a[1]));
}
