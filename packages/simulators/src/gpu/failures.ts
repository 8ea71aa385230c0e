/**
 * What real nvidia-smi prints and returns when it cannot answer. Everything here goes to stdout:
 * nvidia-smi writes its error messages there, not to stderr (mozilla/translations#1167 logs
 * `[nvidia-smi(stdout)] Failed to initialize NVML: ...`; CoHDI/composable-resource-operator#37
 * shows `stderr: '', stdout: 'Field "device_minor" is not a valid field to query.\n\n'`).
 *
 * Exit codes are NVML's `nvmlReturn_t` values, which nvidia-smi returns as its status (the
 * nvidia-smi(1) man page, "RETURN VALUE", lists 2, 6 and 9 with these meanings; NVML's
 * `nvml.h` / the cuda-python `cuda.bindings.nvml.Return` docs list all of them):
 * - 2  NVML_ERROR_INVALID_ARGUMENT: "A supplied argument or flag is invalid".
 * - 6  NVML_ERROR_NOT_FOUND: "A query to find an object was unsuccessful"; with no GPU,
 *      nvidia-smi prints `No devices were found` (peci1/nvidia-htop#22 reports
 *      "nvidia-smi exited with error code 6: No devices were found").
 * - 9  NVML_ERROR_DRIVER_NOT_LOADED: "NVIDIA driver is not loaded" (syslogs of
 *      nvidia-persistenced show "Process '/usr/bin/nvidia-smi' failed with exit code 9").
 * - 18 NVML_ERROR_LIB_RM_VERSION_MISMATCH: not in the man page's list, but what nvidia-smi
 *      returns (mozilla/translations#1167 "nvidia-smi failed with return code 18";
 *      anderskm/gputil#55 shows `echo $?` -> 18). Drivers since about R535 add a second line,
 *      `NVML library version: 550.144`.
 * - 255 "Other error": used here when the fake's own scenario file cannot be read (on stderr,
 *      since that is the fake's problem, not the simulated host's).
 */
import type { GpuFailure } from './scenario';

export interface NvidiaSmiAnswer {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** True when the process should never answer (the `hang` failure). */
  readonly hang?: boolean;
}

export const NvidiaSmiExitCodes = {
  ok: 0,
  invalidArgument: 2,
  notFound: 6,
  driverNotLoaded: 9,
  versionMismatch: 18,
  other: 255,
} as const;

/** The major.minor part of a driver version, as the mismatch message prints it. */
function nvmlVersion(driverVersion: string): string {
  return driverVersion.split('.').slice(0, 2).join('.');
}

export const noDevices: NvidiaSmiAnswer = {
  stdout: 'No devices were found\n',
  stderr: '',
  exitCode: NvidiaSmiExitCodes.notFound,
};

/** The answer for a failure that stops nvidia-smi before it reads any GPU. */
export function failureAnswer(failure: GpuFailure, driverVersion: string): NvidiaSmiAnswer {
  switch (failure) {
    case 'no_driver':
      return {
        stdout:
          "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
        stderr: '',
        exitCode: NvidiaSmiExitCodes.driverNotLoaded,
      };
    case 'mismatch':
      return {
        stdout: `Failed to initialize NVML: Driver/library version mismatch\nNVML library version: ${nvmlVersion(driverVersion)}\n`,
        stderr: '',
        exitCode: NvidiaSmiExitCodes.versionMismatch,
      };
    case 'no_devices':
      return noDevices;
    case 'hang':
      return { stdout: '', stderr: '', exitCode: NvidiaSmiExitCodes.ok, hang: true };
  }
}

/** An option nvidia-smi does not know (the wording of private-gpt#1480 and GPUSitter#4). */
export function unknownOption(option: string): NvidiaSmiAnswer {
  return {
    stdout: `ERROR: Option ${option} is not recognized. Please run 'nvidia-smi -h'.\n`,
    stderr: '',
    exitCode: NvidiaSmiExitCodes.invalidArgument,
  };
}

/** Options that do not go together, e.g. `--format` without a query (influxdata/telegraf#6573). */
export const invalidCombination: NvidiaSmiAnswer = {
  stdout: "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n",
  stderr: '',
  exitCode: NvidiaSmiExitCodes.invalidArgument,
};

/** A query field nvidia-smi does not know (CoHDI/composable-resource-operator#37). */
export function invalidField(field: string): NvidiaSmiAnswer {
  return {
    stdout: `Field "${field}" is not a valid field to query.\n\n`,
    stderr: '',
    exitCode: NvidiaSmiExitCodes.invalidArgument,
  };
}
