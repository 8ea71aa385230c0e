/**
 * The VRAM collector against the simulators' fake nvidia-smi, run as a real child process by
 * path (as NVIDIA_SMI_PATH is used): several GPUs keyed by uuid, unreadable metrics, a hung run
 * killed at the time limit, every failure exit mapped to its state, and a missing binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGpuHost, SCENARIO_ENV, fakeGpu, fakeNvidiaSmiPath } from '@marquee/simulators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  GPU_QUERY_ARGS,
  PROCESS_QUERY_ARGS,
  createNvidiaSmiCollector,
  type SpawnFn,
} from '../../src/integrations/nvidia-smi';

const NOW = Date.UTC(2026, 0, 17, 12, 0, 0);
const hosts: FakeGpuHost[] = [];

function fakeHost(...args: ConstructorParameters<typeof FakeGpuHost>): FakeGpuHost {
  const host = new FakeGpuHost(...args);
  hosts.push(host);
  // The collector's children inherit this process's environment, as the server's do.
  vi.stubEnv(SCENARIO_ENV, host.scenarioPath);
  return host;
}

afterEach(() => {
  vi.unstubAllEnvs();
  for (const host of hosts.splice(0)) host.dispose();
});

/** A collector on the fake; `children` records every process it started. */
function collectorFor(options: { timeoutMs?: number; path?: string; now?: () => number } = {}) {
  const children: ChildProcess[] = [];
  const spawnAndRecord: SpawnFn = (command, args, spawnOptions) => {
    const child = spawn(command, args, spawnOptions);
    children.push(child);
    return child;
  };
  const collector = createNvidiaSmiCollector({
    path: options.path ?? fakeNvidiaSmiPath,
    timeoutMs: options.timeoutMs ?? 10_000,
    now: options.now ?? (() => NOW),
    spawn: spawnAndRecord,
  });
  return { collector, children };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a healthy host', () => {
  it('reads several GPUs keyed by uuid, with each process attached to its GPU', async () => {
    const host = fakeHost({
      gpus: [
        fakeGpu(0, { memoryUsed: 8192, utilization: 87, temperature: 66, powerDraw: 301.456 }),
        fakeGpu(1, { name: 'NVIDIA RTX A6000', memoryTotal: 49140, memoryUsed: 20000 }),
      ],
    });
    const ollama = host.addProcess(1, { name: '/usr/local/bin/ollama', usedMemory: 19000 });
    const python = host.addProcess(0, { name: '/usr/bin/python3', usedMemory: 7800 });
    const [gpu0, gpu1] = host.scenario.gpus;

    const { collector } = collectorFor();
    const status = await collector.collect();

    expect(status.state).toBe('ok');
    expect(status.error).toBeUndefined();
    expect(status.last_success_at).toBe(new Date(NOW).toISOString());
    expect(status.gpus).toEqual([
      {
        index: 0,
        uuid: gpu0?.uuid,
        name: 'NVIDIA GeForce RTX 4090',
        total_mb: 24564,
        used_mb: 8192,
        free_mb: 24564 - 8192,
        utilization: 87,
        temperature_c: 66,
        power_draw_w: 301.46,
        power_limit_w: 450,
        unavailable: {},
      },
      expect.objectContaining({
        index: 1,
        uuid: gpu1?.uuid,
        name: 'NVIDIA RTX A6000',
        total_mb: 49140,
        used_mb: 20000,
        free_mb: 29140,
      }),
    ]);
    // The seed's block is GPU 0.
    expect(status.gpu).toEqual({
      name: 'NVIDIA GeForce RTX 4090',
      total_mb: 24564,
      used_mb: 8192,
      free_mb: 16372,
      utilization: 87,
    });
    expect(status.processes).toEqual([
      { gpu_uuid: gpu0?.uuid, pid: python, process_name: '/usr/bin/python3', used_memory_mb: 7800 },
      {
        gpu_uuid: gpu1?.uuid,
        pid: ollama,
        process_name: '/usr/local/bin/ollama',
        used_memory_mb: 19000,
      },
    ]);
  });

  it('runs nvidia-smi with exactly the two documented queries, no shell', async () => {
    const host = fakeHost({ gpus: 1 });
    await collectorFor().collector.collect();
    expect(host.received.map((run) => run.argv)).toEqual([
      [...GPU_QUERY_ARGS],
      [...PROCESS_QUERY_ARGS],
    ]);
    expect(GPU_QUERY_ARGS).toEqual([
      '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit',
      '--format=csv,noheader,nounits',
    ]);
    expect(PROCESS_QUERY_ARGS).toEqual([
      '--query-compute-apps=gpu_uuid,pid,process_name,used_memory',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('turns [N/A], [Not Supported] and [Insufficient Permissions] into null with the reason, never 0', async () => {
    const host = fakeHost({ gpus: 2 });
    host.setField(0, 'powerDraw', '[N/A]');
    host.setField(0, 'utilization', '[Not Supported]');
    host.setField(1, 'memoryUsed', '[Insufficient Permissions]');
    host.setField(1, 'temperature', '[GPU is lost]');
    host.addProcess(0, { name: 'C:\\Windows\\app.exe', usedMemory: '[N/A]' });

    const status = await collectorFor().collector.collect();
    const [gpu0, gpu1] = status.gpus ?? [];
    expect(gpu0).toMatchObject({
      power_draw_w: null,
      utilization: null,
      unavailable: { power_draw_w: 'not_available', utilization: 'not_supported' },
    });
    expect(gpu1).toMatchObject({
      used_mb: null,
      // memory.free is [N/A] too when used is unreadable
      free_mb: null,
      temperature_c: null,
      unavailable: {
        used_mb: 'insufficient_permissions',
        free_mb: 'not_available',
        temperature_c: 'unknown',
      },
    });
    expect(status.processes[0]?.used_memory_mb).toBeNull();
    // The seed's flat block cannot say null: there, and only there, it is 0.
    expect(status.gpu?.utilization).toBe(0);
    expect(status.state).toBe('ok');
  });
});

describe('failures', () => {
  it('kills a hung nvidia-smi at the time limit and reports timeout, keeping the last reading', async () => {
    const host = fakeHost({ gpus: 1 });
    let now = NOW;
    const { collector, children } = collectorFor({ timeoutMs: 1500, now: () => now });
    const good = await collector.collect();
    expect(good.state).toBe('ok');

    host.setFailure('hang');
    now += 60_000;
    const started = Date.now();
    const status = await collector.collect();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(status.state).toBe('timeout');
    expect(status.error).toMatch(/did not answer within 1500 ms and was killed/);
    // The reading before the hang stays, dated by last_success_at.
    expect(status.gpu).toEqual(good.gpu);
    expect(status.last_success_at).toBe(new Date(NOW).toISOString());

    const hung = children.at(-1);
    expect(hung?.pid).toBeDefined();
    await vi.waitFor(() => expect(isAlive(hung?.pid ?? 0)).toBe(false), { timeout: 5000 });
    expect(hung?.signalCode).toBe('SIGKILL');
  });

  it.each([
    ['no_driver', 'no_driver', /NVIDIA driver is not loaded/],
    ['mismatch', 'driver_mismatch', /Driver\/library version mismatch/],
    ['no_devices', 'no_gpu', /No NVIDIA GPU was found/],
  ] as const)('failure %s → state %s, no reading', async (failure, state, message) => {
    const host = fakeHost({ gpus: 1 });
    const { collector } = collectorFor();
    expect((await collector.collect()).state).toBe('ok');
    host.setFailure(failure);
    const status = await collector.collect();
    expect(status).toEqual({
      gpu: null,
      gpus: [],
      processes: [],
      state,
      last_success_at: new Date(NOW).toISOString(),
      error: expect.stringMatching(message),
    });
  });

  it('says plainly that a host without GPUs has none', async () => {
    fakeHost({ gpus: 0 });
    const status = await collectorFor().collector.collect();
    expect(status).toMatchObject({ gpu: null, gpus: [], state: 'no_gpu', last_success_at: null });
    expect(status.error).toMatch(/No NVIDIA GPU was found/);
  });

  it('reports a missing binary (ENOENT) as not_installed', async () => {
    const path = join(tmpdir(), 'marquee-no-such-dir', 'nvidia-smi');
    const status = await collectorFor({ path }).collector.collect();
    expect(status).toMatchObject({ gpu: null, state: 'not_installed', last_success_at: null });
    expect(status.error).toContain(path);
  });

  it('reports a binary that cannot run as error, and any other exit with its message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-smi-'));
    try {
      const notExecutable = join(dir, 'nvidia-smi');
      writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
      chmodSync(notExecutable, 0o644);
      const denied = await collectorFor({ path: notExecutable }).collector.collect();
      expect(denied).toMatchObject({ state: 'error', gpu: null });
      expect(denied.error).toMatch(/could not be started.*EACCES/);

      const crashing = join(dir, 'crashing-smi');
      writeFileSync(
        crashing,
        '#!/bin/sh\necho "Unable to determine the device handle for GPU0000:01:00.0: Unknown Error"\nexit 15\n',
      );
      chmodSync(crashing, 0o755);
      const failed = await collectorFor({ path: crashing }).collector.collect();
      expect(failed).toMatchObject({ state: 'error', gpu: null });
      expect(failed.error).toBe(
        'nvidia-smi failed (exit code 15): Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
