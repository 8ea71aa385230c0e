/**
 * The panel app's import graph, checked structurally: bundled the way `npm run size` bundles it,
 * it must validate with zod core and zod/mini only, with no classic zod module and none of the
 * server-side protocol modules. A byte count would flake with every dependency bump; a module
 * that brings classic zod back is what costs the panel 20 KB and more, so that is what fails here.
 * The size itself is reported by `npm run size`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  measure,
  nonMiniZodModules,
  panelApp,
  standInEmitter,
  type Measured,
} from '../size/bundles';

describe('the panel app bundle', () => {
  let bundle: Measured;
  beforeAll(async () => {
    bundle = await measure(panelApp);
  });

  it('validates with the Now Playing schemas through zod core and zod/mini', () => {
    expect(bundle.inputs).toContain('packages/sdk/src/protocol/now-playing/snapshot.ts');
    expect(bundle.inputs).toContain('packages/sdk/src/protocol/now-playing/compact.ts');
    expect(bundle.inputs.some((path) => path.includes('node_modules/zod/v4/core/'))).toBe(true);
    expect(bundle.inputs.some((path) => path.includes('node_modules/zod/v4/mini/'))).toBe(true);
  });

  it('contains no classic zod module', () => {
    expect(nonMiniZodModules(bundle.inputs)).toEqual([]);
  });

  it('leaves out the route tables, the classic primitives and the other surfaces', () => {
    const protocol = bundle.inputs.filter((path) => path.includes('packages/sdk/src/protocol/'));
    expect(protocol).not.toContain('packages/sdk/src/protocol/now-playing/routes.ts');
    expect(protocol).not.toContain('packages/sdk/src/protocol/now-playing/index.ts');
    expect(protocol).not.toContain('packages/sdk/src/protocol/common.ts');
    expect(protocol.filter((path) => !path.includes('/now-playing/')).sort()).toEqual([
      // The socket's close-code table and the zod/mini primitives; nothing else.
      'packages/sdk/src/protocol/close-codes.ts',
      'packages/sdk/src/protocol/primitives.ts',
    ]);
  });

  it('can be measured with the stand-in emitter in place of eventemitter3 (the 1 KB rule)', async () => {
    expect(bundle.inputs.some((path) => path.includes('node_modules/eventemitter3/'))).toBe(true);
    const standIn = await measure(panelApp, undefined, [standInEmitter]);
    expect(standIn.inputs.some((path) => path.includes('eventemitter3/'))).toBe(false);
    expect(standIn.inputs).toContain('stand-in:eventemitter3');
    expect(standIn.gzip).toBeLessThan(bundle.gzip);
  });

  it('recognises classic zod when it is there', () => {
    expect(
      nonMiniZodModules([
        'node_modules/zod/v4/core/schemas.js',
        'node_modules/zod/v4/mini/schemas.js',
        'node_modules/zod/index.js',
        'node_modules/zod/v4/classic/schemas.js',
        'node_modules/zod/v4/locales/en.js',
      ]),
    ).toEqual([
      'node_modules/zod/index.js',
      'node_modules/zod/v4/classic/schemas.js',
      'node_modules/zod/v4/locales/en.js',
    ]);
  });
});
