/**
 * Bundle size of the browser clients as a user gets them (DESIGN.md #11): builds the SDK when
 * stale, `npm pack`s it, installs the tarball into a fresh project and bundles each entry of
 * `packedVariants` there with esbuild the way an app bundler would (platform browser, minified
 * ESM, isomorphic-ws's browser build, zod included since every message is validated), gzipped at
 * level 9. Prints the figures next to socket.io-client's and writes them to docs/size.md. It
 * reports and never fails on size: the panel's budget is checked by scripts/test/packed-install.test.ts, and
 * `scripts/test/panel-bundle.test.ts` guards the import graph that keeps the panel small.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProject, ensureBuilt, pack, remove } from './packed/project';
import {
  PANEL_BUDGET_BYTES,
  measure,
  nonMiniZodModules,
  packedVariants,
  standInEmitter,
  type Measured,
} from './size/bundles';

/** socket.io-client's min+gzip size as the issue quotes it. */
const REFERENCE = { name: 'socket.io-client', minKb: 11, maxKb: 13 } as const;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function packages(measured: Measured): string {
  return [...measured.byPackage]
    .filter(([, bytes]) => bytes > 0)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
}

/** What the figures say; computed, so the text cannot drift from them. */
function notes(all: ReadonlyMap<string, Measured>): string[] {
  const panel = all.get('panel');
  const socket = all.get('socket');
  const everything = all.get('everything');
  const emitter = all.get('eventemitter3');
  const standIn = all.get('panel-stand-in-emitter');
  if (!panel || !socket || !everything || !emitter || !standIn) return [];
  const emitterCost = panel.gzip - standIn.gzip;
  const classic = nonMiniZodModules(panel.inputs);
  const zodShare = (panel.byPackage.get('zod') ?? 0) / panel.min;
  return [
    `Measured from the packed package: \`npm pack\` of packages/sdk, installed into a fresh project, so the figures are what an app that installs @marquee/sdk ships, through the package's \`exports\`.`,
    `The root entry tree-shakes because the package is \`"sideEffects": false\` and its ESM build keeps one file per source module (packages/sdk/tsup.config.ts): a bundler drops every module the app does not reach, with the classic zod schemas of the other surfaces. A single bundled file would keep them all (each top-level schema is a call a bundler must assume has effects); the everything-used row is that ceiling.`,
    `The panel validates with zod/mini (${classic.length === 0 ? 'no classic zod module in its bundle' : `classic zod modules: ${classic.join(', ')}`}); zod is ${(zodShare * 100).toFixed(0)} % of its minified bytes, Marquee's own code ${kb(panel.byPackage.get('@marquee/sdk') ?? 0)}.`,
    `The clients' event emitter is eventemitter3, the design's choice, behind a typed face (packages/sdk/src/transport/emitter.ts): ${kb(panel.byPackage.get('eventemitter3') ?? 0)} of the panel's minified bytes, ${kb(emitter.gzip)} min+gzip on its own. With eventemitter3 swapped for the smallest emitter that does the same work (scripts/size/bundles.ts, measured in this run), the same panel bundle is ${standIn.gzip} B min+gzip; eventemitter3 costs ${emitterCost} B over it, ${emitterCost > 1024 ? 'MORE than the 1 KB the design allows for keeping the library: drop it' : 'within the 1 KB the design allows for keeping the library'}.`,
    `The socket alone (emitter, isomorphic-ws, zod core's \`safeParse\`) is ${kb(socket.gzip)} min+gzip; each client adds its own schemas and calls to it.`,
    classicNote(all),
  ];
}

/** Which client bundles carry classic zod (every client is meant to validate with zod/mini). */
function classicNote(all: ReadonlyMap<string, Measured>): string {
  const clients = [...all.values()].filter(
    (m) => m.id !== 'everything' && m.id !== 'eventemitter3',
  );
  const classic = clients.filter((m) => nonMiniZodModules(m.inputs).length > 0);
  const everything = all.get('everything');
  const ceiling =
    everything && nonMiniZodModules(everything.inputs).length > 0
      ? ' The everything-used row still carries classic zod: the monitoring, media-stack, MQTT and history schemas, which no client above reaches, are written in it.'
      : '';
  return classic.length === 0
    ? `No client bundle above contains a classic zod module: every client's schemas are written in zod/mini (GPU and signage admin moved on 2026-12-08, from 37.8 and 36.1 KB min+gzip).${ceiling}`
    : `Classic zod modules are still in: ${classic.map((m) => m.id).join(', ')}.${ceiling}`;
}

async function main(): Promise<void> {
  await ensureBuilt();
  const packDir = await mkdtemp(join(tmpdir(), 'marquee-size-pack-'));
  let project: string | undefined;
  const measured = new Map<string, Measured>();
  try {
    const packed = await pack(packDir);
    project = await createProject('size', { type: 'module', install: [packed.sdk] });
    for (const variant of packedVariants) measured.set(variant.id, await measure(variant, project));
    // The panel again with eventemitter3 swapped for the smallest emitter that does its work.
    const panel = packedVariants.find((variant) => variant.id === 'panel');
    if (panel) {
      measured.set('panel-stand-in-emitter', await measure(panel, project, [standInEmitter]));
    }
  } finally {
    await remove(project);
    await remove(packDir);
  }
  const headline = measured.get('panel');
  if (!headline) throw new Error('panel variant missing');

  const isoBuild = headline.inputs.find((path) => path.includes('isomorphic-ws/'));
  const nodeWs = headline.inputs.some((path) => /node_modules\/ws\//.test(path));
  const over = headline.gzip > PANEL_BUDGET_BYTES;

  const out: string[] = [];
  out.push(`Browser bundle: ${headline.what}`);
  out.push(`  from the packed package in a fresh project; esbuild, platform browser, minified ESM`);
  out.push(`  min:       ${kb(headline.min)} (${headline.min} B)`);
  out.push(`  min+gzip:  ${kb(headline.gzip)} (${headline.gzip} B, gzip level 9)`);
  out.push(`  budget:    ${kb(PANEL_BUDGET_BYTES)}${over ? ' — OVER BUDGET' : ''}`);
  out.push(
    `  reference: ${REFERENCE.name} is about ${REFERENCE.minKb}–${REFERENCE.maxKb} KB min+gzip (per the issue)`,
  );
  out.push(
    `  isomorphic-ws resolved to ${isoBuild?.replace(/^.*node_modules\//, '') ?? 'nothing'}${nodeWs ? ' (WARNING: Node ws bundled)' : ''}`,
  );
  out.push(`  by package (minified): ${packages(headline)}`);
  out.push('');
  out.push('Variants:');
  for (const m of measured.values()) {
    if (m === headline) continue;
    out.push(`  ${kb(m.gzip).padStart(9)} gzip  ${kb(m.min).padStart(9)} min  ${m.what}`);
  }
  out.push('');
  out.push('Notes:');
  for (const line of notes(measured)) out.push(`  - ${line}`);
  console.log(out.join('\n'));

  await writeFile(new URL('../docs/size.md', import.meta.url), markdown(measured, headline, over));
  console.log('\nWrote docs/size.md');
}

function markdown(
  measured: ReadonlyMap<string, Measured>,
  headline: Measured,
  over: boolean,
): string {
  const rows = [...measured.values()].map((m) => `| ${m.what} | ${kb(m.min)} | ${kb(m.gzip)} |`);
  return [
    '# Browser bundle size',
    '',
    'Generated by `npm run size` (`scripts/size.ts`); do not edit by hand.',
    '',
    'Each entry is bundled with esbuild for the browser (minified ESM, `isomorphic-ws` resolving to',
    'its browser build, zod included) from a fresh project that installed the `npm pack` tarball of',
    '@marquee/sdk, and gzipped at level 9. The first row is the headline.',
    '',
    '| bundle | min | min+gzip |',
    '|---|---:|---:|',
    ...rows,
    '',
    `Budget: the panel client from the root entry at most ${kb(PANEL_BUDGET_BYTES)} min+gzip${over ? ' — the headline is OVER it' : ''}. Reference: ${REFERENCE.name} is about ${REFERENCE.minKb}–${REFERENCE.maxKb} KB min+gzip (per the issue).`,
    '',
    `Headline by package (minified): ${packages(headline)}.`,
    '',
    '## Notes',
    '',
    ...notes(measured).map((line) => `- ${line}`),
    '',
  ].join('\n');
}

await main();
