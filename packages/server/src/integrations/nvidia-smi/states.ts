/**
 * How a failed nvidia-smi run maps to a `GpuState`, with a message a person can act on. Exit codes
 * are NVML's return values, which nvidia-smi passes on (nvidia-smi(1) "RETURN VALUE"; see the
 * simulators' gpu/failures.ts for sources): 6 not found (no GPU), 9 driver not loaded, 18
 * driver/library version mismatch. nvidia-smi prints its errors on stdout, so both streams are
 * searched for the well-known messages too (an older driver may use another code).
 */
import type { protocol } from '@marquee/sdk';
import type { RunResult } from './run';

type GpuState = protocol.gpu.GpuState;

export interface Failure {
  readonly state: Exclude<GpuState, 'ok'>;
  readonly error: string;
}

const EXIT_NOT_FOUND = 6;
const EXIT_DRIVER_NOT_LOADED = 9;
const EXIT_VERSION_MISMATCH = 18;

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

/** The state for a run that did not produce GPU rows; `path` and `timeoutMs` go into messages. */
export function failureOf(result: RunResult, path: string, timeoutMs: number): Failure {
  switch (result.kind) {
    case 'spawn-error':
      if (result.error.code === 'ENOENT') {
        return {
          state: 'not_installed',
          error: `nvidia-smi was not found (${path}); install the NVIDIA driver utilities or set NVIDIA_SMI_PATH`,
        };
      }
      return {
        state: 'error',
        error: `nvidia-smi could not be started (${path}): ${result.error.code ?? result.error.message}`,
      };
    case 'timeout':
      return {
        state: 'timeout',
        error: `nvidia-smi did not answer within ${timeoutMs} ms and was killed`,
      };
    case 'exit':
      return exitFailure(result);
  }
}

function exitFailure(result: Extract<RunResult, { kind: 'exit' }>): Failure {
  const output = `${result.stdout}\n${result.stderr}`;
  const said = firstLine(result.stdout) || firstLine(result.stderr);
  if (
    result.code === EXIT_DRIVER_NOT_LOADED ||
    /communicate with the NVIDIA driver/i.test(output)
  ) {
    return {
      state: 'no_driver',
      error: `The NVIDIA driver is not loaded (nvidia-smi: ${said || `exit code ${result.code}`})`,
    };
  }
  if (result.code === EXIT_VERSION_MISMATCH || /version mismatch/i.test(output)) {
    return {
      state: 'driver_mismatch',
      error: `Driver/library version mismatch, usually after a driver update without a reboot (nvidia-smi: ${said || `exit code ${result.code}`})`,
    };
  }
  if (result.code === EXIT_NOT_FOUND || /No devices were found/i.test(output)) {
    return {
      state: 'no_gpu',
      error: 'No NVIDIA GPU was found (nvidia-smi: No devices were found)',
    };
  }
  if (result.code === 0) {
    return { state: 'no_gpu', error: 'No NVIDIA GPU was found (nvidia-smi listed none)' };
  }
  const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
  return { state: 'error', error: `nvidia-smi failed (${how})${said ? `: ${said}` : ''}` };
}
