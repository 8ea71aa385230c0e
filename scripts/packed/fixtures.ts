/**
 * The programs the install test writes into its fresh projects: what a user of the packed
 * packages writes. Together they use every export path of @marquee/sdk (`.`, `./protocol`,
 * `./device`, `./package.json`) and of @marquee/simulators (`.`, `./package.json`, the
 * `marquee-sim` bin), under Node ESM, Node CommonJS, TypeScript (bundler and nodenext, ESM and
 * CommonJS) and a browser bundle.
 */

/**
 * Node: reads a live snapshot from the server at $MARQUEE_URL with the panel client, validates it
 * again with the protocol's schema, gets a pairing code with the device client's `pairDevice`,
 * connects a simulated ESP32 panel, and prints what it saw as JSON. `imports` binds the names
 * (ESM `import` or CommonJS `require`).
 */
function nodeProgram(imports: string): string {
  return `${imports}
const baseUrl = process.env.MARQUEE_URL;
const deadline = (what) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ' + what)), 10000).unref());

async function main() {
  const client = createPanelClient({ baseUrl, network: false }).connect();
  const snapshot = await Promise.race([
    new Promise((resolve) => client.once('snapshot', resolve)),
    deadline('snapshot'),
  ]);
  client.close();
  const parsed = protocol.nowPlaying.Snapshot.safeParse(snapshot);

  const pairing = new AbortController();
  const code = await Promise.race([
    new Promise((resolve, reject) => {
      device
        .pairDevice({
          baseUrl,
          signal: pairing.signal,
          onCode: (c) => {
            resolve(c);
            pairing.abort();
          },
        })
        .catch((error) => {
          if (!pairing.signal.aborted) reject(error);
        });
    }),
    deadline('pairing code'),
  ]);

  const panel = new simulators.PanelSimulator({ server: baseUrl }).start();
  const frame = await Promise.race([
    new Promise((resolve) => panel.onSnapshot(resolve)),
    deadline('panel frame'),
  ]);
  await panel.stop();

  let notFound;
  try {
    await createPanelClient({ baseUrl: baseUrl + '/nowhere', network: false }).stats();
  } catch (error) {
    notFound = { marquee: error instanceof MarqueeError, code: error.code, status: error.status };
  }

  console.log(
    JSON.stringify({
      titles: snapshot.sessions.map((s) => s.title),
      valid: parsed.success,
      pairingCode: typeof code === 'string' && code.length > 0,
      screenKeys: device.SCREEN_KEYS.length > 0,
      panelSessions: frame.sessions.length,
      notFound,
      sdkVersion: sdkPackage.version,
      simulatorsVersion: simulatorsPackage.version,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;
}

export const esmProgram =
  nodeProgram(`import { MarqueeError, createPanelClient } from '@marquee/sdk';
import * as protocol from '@marquee/sdk/protocol';
import * as device from '@marquee/sdk/device';
import * as simulators from '@marquee/simulators';
import sdkPackage from '@marquee/sdk/package.json' with { type: 'json' };
import simulatorsPackage from '@marquee/simulators/package.json' with { type: 'json' };`);

export const cjsProgram = nodeProgram(`'use strict';
const { MarqueeError, createPanelClient } = require('@marquee/sdk');
const protocol = require('@marquee/sdk/protocol');
const device = require('@marquee/sdk/device');
const simulators = require('@marquee/simulators');
const sdkPackage = require('@marquee/sdk/package.json');
const simulatorsPackage = require('@marquee/simulators/package.json');`);

/** Type-level checks shared by the ESM and CommonJS TypeScript files. */
const typeChecks = `
type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** The names of a module's exports typed \`any\`; \`never\` when there is none. */
type AnyExports<M> = { [K in keyof M]: IsAny<M[K]> extends true ? K : never }[keyof M];

const panel = createPanelClient({ baseUrl: 'http://localhost:8000' });
panel.on('snapshot', (snapshot) => {
  type _ = Expect<Equal<typeof snapshot, Snapshot>>;
  const title: string = snapshot.sessions[0]?.title ?? '';
  type __ = Expect<Equal<IsAny<typeof snapshot.sessions>, false>>;
  void title;
});
// @ts-expect-error: an event the panel client does not have (would pass if the client were \`any\`)
panel.on('no-such-event', () => undefined);
const compact = createPanelClient({ baseUrl: 'http://localhost:8000', profile: 'compact' });
compact.on('snapshot', (snapshot) => {
  type _ = Expect<Equal<typeof snapshot, CompactSnapshot>>;
});
panel.on('error', (error) => {
  type _ = Expect<Equal<typeof error, MarqueeError>>;
  type __ = Expect<Equal<typeof error.code, string>>;
});
type Stats = Awaited<ReturnType<typeof panel.stats>>;
type Pairing = Awaited<ReturnType<typeof device.pairDevice>>;
// @ts-expect-error: the panel client wants a baseUrl
createPanelClient({});

export type Checks = [
  Expect<Equal<AnyExports<typeof sdk>, never>>,
  Expect<Equal<AnyExports<typeof protocol>, never>>,
  Expect<Equal<AnyExports<typeof protocol.nowPlaying>, never>>,
  Expect<Equal<AnyExports<typeof protocol.signage>, never>>,
  Expect<Equal<AnyExports<typeof device>, never>>,
  Expect<Equal<AnyExports<typeof simulators>, never>>,
  Expect<Equal<Stats, StatsResponse>>,
  Expect<Equal<IsAny<Pairing['password']>, false>>,
  Expect<Equal<typeof sdkPackage.name, string>>,
];
`;

const typeImports = `import * as sdk from '@marquee/sdk';
import {
  createPanelClient,
  type CompactSnapshot,
  type MarqueeError,
  type Snapshot,
  type StatsResponse,
} from '@marquee/sdk';
import * as protocol from '@marquee/sdk/protocol';
import * as device from '@marquee/sdk/device';
import * as simulators from '@marquee/simulators';`;

/** TypeScript, ESM: compiled under moduleResolution bundler and nodenext. */
export const typesEsm = `${typeImports}
import sdkPackage from '@marquee/sdk/package.json' with { type: 'json' };
${typeChecks}`;

/** TypeScript, CommonJS (a .cts file under nodenext: the `require` conditions and .d.cts files). */
export const typesCjs = `${typeImports}
import sdkPackage = require('@marquee/sdk/package.json');
${typeChecks}`;

const compilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  resolveJsonModule: true,
  target: 'es2022',
  types: ['node'],
};

export const tsconfigBundler = JSON.stringify({
  compilerOptions: {
    ...compilerOptions,
    module: 'esnext',
    moduleResolution: 'bundler',
    lib: ['es2023', 'dom'],
  },
  files: ['types.ts'],
});

/**
 * nodenext checks resolution and the types the `import` and `require` conditions reach; it
 * skips re-checking the declaration files themselves (the bundler run does that, on the same
 * generated declarations), which halves the test's time. An export that failed to resolve would
 * still show, as `any`, in the checks above.
 */
export const tsconfigNodeNext = JSON.stringify({
  compilerOptions: {
    ...compilerOptions,
    skipLibCheck: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
  },
  files: ['types.ts', 'types.cts'],
});

/**
 * The browser app: a panel showing the server's sessions, the server named by the page's
 * `?server=` query. It writes what it sees into `data-` attributes the test reads.
 */
export const browserApp = `import { createPanelClient } from '@marquee/sdk';

const baseUrl = new URLSearchParams(location.search).get('server');
const client = createPanelClient({ baseUrl });
client.socket.on('state', ({ state }) => (document.body.dataset.state = state));
client.on('snapshot', (snapshot) => {
  document.body.dataset.titles = snapshot.sessions.map((s) => s.title).join('|');
  document.body.dataset.cpu = String(snapshot.system.cpu_percent);
});
client.connect();
`;

export const indexHtml = `<!doctype html>
<html>
  <head><meta charset="utf-8" /><title>Packed panel</title></head>
  <body>
    <script type="module" src="./app.js"></script>
  </body>
</html>
`;
