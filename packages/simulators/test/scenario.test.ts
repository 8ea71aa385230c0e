/** The scenario file: validated on write and read, written atomically. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeGpuHost, fakeGpu, readGpuScenario, writeGpuScenario } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'marquee-scenario-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GPU scenario files', () => {
  it('round-trips with defaults filled in, leaving no temporary file behind', () => {
    const path = join(dir, 'round-trip.json');
    const written = writeGpuScenario(path, { gpus: [fakeGpu(0, { powerDraw: '[N/A]' })] });
    expect(written).toMatchObject({ failure: null, driverVersion: '550.144.03' });
    expect(readGpuScenario(path)).toEqual(written);
    expect(readdirSync(dir)).toEqual(['round-trip.json']);
  });

  it('rejects more than 8 GPUs, and unbracketed unavailable readings', () => {
    const path = join(dir, 'invalid.json');
    expect(() =>
      writeGpuScenario(path, { gpus: Array.from({ length: 9 }, (_, i) => fakeGpu(i)) }),
    ).toThrow();
    expect(() => writeGpuScenario(path, { gpus: [{ ...fakeGpu(0), powerDraw: 'N/A' }] })).toThrow();
    expect(() => new FakeGpuHost({ path, gpus: 9 })).toThrow();
    writeFileSync(path, '{"gpus": "many"}');
    expect(() => readGpuScenario(path)).toThrow();
  });

  it('FakeGpuHost leaves a given path in place and removes its own temporary directory', () => {
    const path = join(dir, 'given.json');
    const given = new FakeGpuHost({ path, gpus: 0, log: false });
    expect(given.scenarioPath).toBe(path);
    expect(given.logPath).toBeUndefined();
    given.dispose();
    expect(readGpuScenario(path).gpus).toEqual([]);

    const owned = new FakeGpuHost();
    expect(() => owned.setUsedMemory(1, 10)).toThrow(RangeError);
    owned.dispose();
    expect(() => readGpuScenario(owned.scenarioPath)).toThrow();
  });
});
