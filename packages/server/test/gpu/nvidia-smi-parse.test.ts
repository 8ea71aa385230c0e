/**
 * nvidia-smi's CSV as real drivers print it, parsed without running anything: values with or
 * without units, placeholders in their bracketed and bare forms, a process name with `, ` in it,
 * duplicate and malformed rows.
 */
import { describe, expect, it } from 'vitest';
import {
  failureOf,
  parseGpus,
  parseProcesses,
  readNumber,
  unavailableReason,
} from '../../src/integrations/nvidia-smi';

const UUID0 = 'GPU-5f3e6a1c-1b2d-4c3e-8f9a-0b1c2d3e4f50';
const UUID1 = 'GPU-aa3e6a1c-1b2d-4c3e-8f9a-0b1c2d3e4f51';

describe('values', () => {
  it('reads numbers with or without units', () => {
    expect(readNumber('24564')).toEqual({ value: 24564 });
    expect(readNumber('24564 MiB')).toEqual({ value: 24564 });
    expect(readNumber(' 3 %')).toEqual({ value: 3 });
    expect(readNumber('450.00 W')).toEqual({ value: 450 });
  });

  it('maps each placeholder to its reason, bracketed or bare', () => {
    expect(unavailableReason('[N/A]')).toBe('not_available');
    expect(unavailableReason('N/A')).toBe('not_available');
    expect(unavailableReason('[Not Supported]')).toBe('not_supported');
    expect(unavailableReason('[Insufficient Permissions]')).toBe('insufficient_permissions');
    expect(unavailableReason('[Unknown Error]')).toBe('unknown');
    expect(readNumber('[GPU is lost]')).toEqual({ value: null, reason: 'unknown' });
  });
});

describe('rows', () => {
  it('orders GPUs by index, drops a duplicate uuid and a short row, and rejects impossible values', () => {
    const stdout = [
      `1, ${UUID1}, NVIDIA RTX A6000, 49140, 12, 49128, 0, 30, 21.05, 300.00`,
      `0, ${UUID0}, NVIDIA GeForce RTX 4090, 24564, 402, 24162, 140, 41, -1, [N/A]`,
      `2, ${UUID0}, duplicate, 1, 1, 0, 0, 0, 0, 0`,
      'garbage',
      '',
    ].join('\n');
    const gpus = parseGpus(stdout);
    expect(gpus.map((g) => g.uuid)).toEqual([UUID0, UUID1]);
    expect(gpus[0]).toMatchObject({
      utilization: null,
      power_draw_w: null,
      power_limit_w: null,
      unavailable: {
        utilization: 'unknown',
        power_draw_w: 'unknown',
        power_limit_w: 'not_available',
      },
    });
  });

  it('keeps a process name with ", " whole and only processes of known GPUs', () => {
    const gpus = parseGpus(
      `0, ${UUID0}, NVIDIA GeForce RTX 4090, 24564, 402, 24162, 3, 41, 27.53, 450.00\n`,
    );
    const stdout = [
      `${UUID0}, 4242, /opt/My App, Inc/bin/worker, 2048`,
      `GPU-gone, 7, python, 100`,
      `${UUID0}, 17, ollama, [N/A]`,
    ].join('\n');
    expect(parseProcesses(stdout, gpus)).toEqual([
      { gpu_uuid: UUID0, pid: 17, process_name: 'ollama', used_memory_mb: null },
      {
        gpu_uuid: UUID0,
        pid: 4242,
        process_name: '/opt/My App, Inc/bin/worker',
        used_memory_mb: 2048,
      },
    ]);
  });
});

describe('states', () => {
  it('recognises the driver messages whatever the exit code, and names a killing signal', () => {
    const exit = (code: number | null, stdout: string, signal: NodeJS.Signals | null = null) =>
      failureOf({ kind: 'exit', code, signal, stdout, stderr: '' }, 'nvidia-smi', 5000);
    expect(
      exit(255, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")
        .state,
    ).toBe('no_driver');
    expect(exit(255, 'Failed to initialize NVML: Driver/library version mismatch').state).toBe(
      'driver_mismatch',
    );
    expect(exit(null, '', 'SIGSEGV')).toEqual({
      state: 'error',
      error: 'nvidia-smi failed (killed by SIGSEGV)',
    });
  });
});
