/**
 * The fake nvidia-smi as the GPU collector will run it: a real child process, found by path,
 * driven by a FakeGpuHost's scenario file.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeGpuHost, fakeGpu, fakeNvidiaSmiPath } from '../src/index';
import { nvidiaSmiBin, packageRoot, parseCsv, run, start } from './helpers/processes';

const GPU_QUERY =
  '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit';
const APPS_QUERY = '--query-compute-apps=gpu_uuid,pid,process_name,used_memory';
const NO_HEADER = '--format=csv,noheader,nounits';

const hosts: FakeGpuHost[] = [];
function fakeHost(...args: ConstructorParameters<typeof FakeGpuHost>): FakeGpuHost {
  const host = new FakeGpuHost(...args);
  hosts.push(host);
  return host;
}

afterEach(() => {
  for (const host of hosts.splice(0)) host.dispose();
});

describe('fake nvidia-smi (a real child process)', () => {
  it('is the bin script the package exports, runnable by path', async () => {
    expect(fakeNvidiaSmiPath).toBe(nvidiaSmiBin);
    const host = fakeHost({ gpus: 1 });
    // By path, as NVIDIA_SMI_PATH is used: the shebang finds node.
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(fakeNvidiaSmiPath, ['--query-gpu=name', NO_HEADER], {
        env: { ...process.env, ...host.env },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('close', (code) => resolve({ code, stdout }));
    });
    expect(result).toEqual({ code: 0, stdout: 'NVIDIA GeForce RTX 4090\n' });
  });

  it('answers the collector query for 2 GPUs; noheader/nounits parse back to the scenario', async () => {
    const host = fakeHost({
      gpus: [
        fakeGpu(0, { memoryUsed: 8192, utilization: 87, temperature: 66, powerDraw: 301.456 }),
        fakeGpu(1, {
          name: 'NVIDIA RTX A6000',
          memoryTotal: 49140,
          memoryUsed: 12,
          powerLimit: 300,
        }),
      ],
    });
    const result = await run(nvidiaSmiBin, [GPU_QUERY, NO_HEADER], host.env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [gpu0, gpu1] = host.scenario.gpus;
    expect(parseCsv(result.stdout)).toEqual([
      [
        '0',
        gpu0?.uuid,
        'NVIDIA GeForce RTX 4090',
        '24564',
        '8192',
        '16372',
        '87',
        '66',
        '301.46',
        '450.00',
      ],
      ['1', gpu1?.uuid, 'NVIDIA RTX A6000', '49140', '12', '49128', '3', '41', '27.53', '300.00'],
    ]);
  });

  it('prints fields in the requested order, aliases included', async () => {
    const host = fakeHost({ gpus: 1 });
    const result = await run(
      nvidiaSmiBin,
      ['--query-gpu=memory.free,gpu_name,index', NO_HEADER],
      host.env,
    );
    expect(result.stdout).toBe('24162, NVIDIA GeForce RTX 4090, 0\n');
  });

  it('prints a header with units in brackets and values with units without noheader/nounits', async () => {
    const host = fakeHost({ gpus: 1 });
    const result = await run(nvidiaSmiBin, [GPU_QUERY, '--format=csv'], host.env);
    expect(result.code).toBe(0);
    const [header, row] = result.stdout.split('\n');
    expect(header).toBe(
      'index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], temperature.gpu, power.draw [W], power.limit [W]',
    );
    expect(row).toBe(
      `0, ${host.scenario.gpus[0]?.uuid}, NVIDIA GeForce RTX 4090, 24564 MiB, 402 MiB, 24162 MiB, 3 %, 41, 27.53 W, 450.00 W`,
    );
  });

  it('prints [N/A] and [Not Supported] literally, with and without units', async () => {
    const host = fakeHost({
      gpus: [fakeGpu(0, { powerDraw: '[N/A]', utilization: '[Not Supported]' })],
    });
    host.setField(0, 'temperature', '[Insufficient Permissions]');
    const query = ['--query-gpu=utilization.gpu,temperature.gpu,power.draw,power.limit'];
    const plain = await run(nvidiaSmiBin, [...query, NO_HEADER], host.env);
    expect(plain.stdout).toBe('[Not Supported], [Insufficient Permissions], [N/A], 450.00\n');
    const units = await run(nvidiaSmiBin, [...query, '--format=csv,noheader'], host.env);
    expect(units.stdout).toBe('[Not Supported], [Insufficient Permissions], [N/A], 450.00 W\n');
  });

  it('lists compute apps per GPU, following addProcess/removeProcess and setUsedMemory', async () => {
    const host = fakeHost({ gpus: 2 });
    const python = host.addProcess(0, { name: '/usr/bin/python3', usedMemory: 4000 });
    host.addProcess(1, { pid: 777, name: '/usr/local/bin/ollama', usedMemory: '[N/A]' });
    host.setUsedMemory(0, 4402);
    const [gpu0, gpu1] = host.scenario.gpus;

    const apps = await run(nvidiaSmiBin, [APPS_QUERY, NO_HEADER], host.env);
    expect(apps.code).toBe(0);
    expect(parseCsv(apps.stdout)).toEqual([
      [gpu0?.uuid, String(python), '/usr/bin/python3', '4000'],
      [gpu1?.uuid, '777', '/usr/local/bin/ollama', '[N/A]'],
    ]);
    const header = await run(nvidiaSmiBin, [APPS_QUERY, '--format=csv'], host.env);
    expect(header.stdout.split('\n').slice(0, 2)).toEqual([
      'gpu_uuid, pid, process_name, used_gpu_memory [MiB]',
      `${gpu0?.uuid}, ${python}, /usr/bin/python3, 4000 MiB`,
    ]);
    const memory = await run(
      nvidiaSmiBin,
      ['--query-gpu=memory.used,memory.free', NO_HEADER, '-i', '0'],
      host.env,
    );
    expect(memory.stdout).toBe('4402, 20162\n');

    expect(host.removeProcess(python)).toBe(true);
    expect(host.removeProcess(python)).toBe(false);
    const after = await run(nvidiaSmiBin, [APPS_QUERY, NO_HEADER, '--id=0'], host.env);
    expect(after).toMatchObject({ code: 0, stdout: '' });
  });

  it('logs each invocation for `received`', async () => {
    const host = fakeHost({ gpus: 1 });
    await run(nvidiaSmiBin, [GPU_QUERY, NO_HEADER], host.env);
    await run(nvidiaSmiBin, [APPS_QUERY, NO_HEADER], host.env);
    expect(host.received.map((r) => r.argv)).toEqual([
      [GPU_QUERY, NO_HEADER],
      [APPS_QUERY, NO_HEADER],
    ]);
    expect(host.received[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    host.clearReceived();
    expect(host.received).toEqual([]);
  });

  describe('failures, with real nvidia-smi messages (stdout) and exit codes', () => {
    it('no driver: exit 9', async () => {
      const host = fakeHost({ gpus: 1, failure: 'no_driver' });
      const result = await run(nvidiaSmiBin, [GPU_QUERY, NO_HEADER], host.env);
      expect(result.code).toBe(9);
      expect(result.stdout).toBe(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
      );
    });

    it('driver/library version mismatch: exit 18', async () => {
      const host = fakeHost({ gpus: 1, driverVersion: '550.144.03' });
      host.setFailure('mismatch');
      const result = await run(nvidiaSmiBin, [APPS_QUERY, NO_HEADER], host.env);
      expect(result.code).toBe(18);
      expect(result.stdout).toBe(
        'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.144\n',
      );
    });

    it('no devices (setFailure), and 0 GPUs: "No devices were found", exit 6', async () => {
      const host = fakeHost({ gpus: 2 });
      host.setFailure('no_devices');
      const failing = await run(nvidiaSmiBin, [GPU_QUERY, NO_HEADER], host.env);
      expect(failing).toMatchObject({ code: 6, stdout: 'No devices were found\n' });

      const empty = fakeHost({ gpus: 0 });
      for (const query of [GPU_QUERY, APPS_QUERY]) {
        const result = await run(nvidiaSmiBin, [query, NO_HEADER], empty.env);
        expect(result).toMatchObject({ code: 6, stdout: 'No devices were found\n' });
      }
      host.setFailure(null);
      expect((await run(nvidiaSmiBin, ['--query-gpu=index', NO_HEADER], host.env)).stdout).toBe(
        '0\n1\n',
      );
    });

    it('hang: never answers until killed', async () => {
      const host = fakeHost({ gpus: 1, failure: 'hang' });
      const started = start(nvidiaSmiBin, [GPU_QUERY, NO_HEADER], host.env);
      // Logged means it got past start-up and is now "in the driver".
      await vi.waitFor(() => expect(host.received).toHaveLength(1), { timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(started.child.exitCode).toBeNull();
      started.child.kill('SIGKILL');
      const result = await started.exited;
      expect(result).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    });

    it('unknown option: exit 2 with nvidia-smi’s message', async () => {
      const host = fakeHost({ gpus: 1 });
      const result = await run(nvidiaSmiBin, ['--frobnicate'], host.env);
      expect(result).toMatchObject({
        code: 2,
        stdout: "ERROR: Option --frobnicate is not recognized. Please run 'nvidia-smi -h'.\n",
      });
    });

    it('unknown query field: exit 2, `Field "x" is not a valid field to query.`', async () => {
      const host = fakeHost({ gpus: 1 });
      const result = await run(nvidiaSmiBin, ['--query-gpu=index,fan.sped', NO_HEADER], host.env);
      expect(result).toMatchObject({
        code: 2,
        stdout: 'Field "fan.sped" is not a valid field to query.\n\n',
      });
    });

    it('a scenario file that cannot be read: exit 255 on stderr', async () => {
      const result = await run(nvidiaSmiBin, ['-L'], {
        MARQUEE_FAKE_GPU_SCENARIO: join(packageRoot, 'does-not-exist.json'),
      });
      expect(result.code).toBe(255);
      expect(result.stderr).toMatch(/cannot read the scenario .*does-not-exist\.json/);
    });
  });

  it('uses the default one-GPU scenario when MARQUEE_FAKE_GPU_SCENARIO is empty', async () => {
    const result = await run(nvidiaSmiBin, ['--query-gpu=index,name', NO_HEADER], {
      MARQUEE_FAKE_GPU_SCENARIO: '',
    });
    expect(result).toMatchObject({ code: 0, stdout: '0, NVIDIA GeForce RTX 4090\n' });
  });

  it.skipIf(!existsSync(join(packageRoot, 'dist/nvidia-smi.js')))(
    'the build answers like the source',
    async () => {
      const host = fakeHost({ gpus: 2 });
      host.addProcess(1, { name: 'ollama', usedMemory: 100 });
      for (const args of [
        [GPU_QUERY, NO_HEADER],
        [APPS_QUERY, '--format=csv'],
      ]) {
        const source = await run(nvidiaSmiBin, args, {
          ...host.env,
          MARQUEE_SIM_RUNTIME: 'source',
        });
        const built = await run(nvidiaSmiBin, args, { ...host.env, MARQUEE_SIM_RUNTIME: 'dist' });
        expect(built).toEqual(source);
      }
    },
  );
});
