/** The nvidia-smi integration: the VRAM collector and the pieces it is built from. */
export {
  createNvidiaSmiCollector,
  type NvidiaSmiCollector,
  type NvidiaSmiCollectorOptions,
} from './collector';
export { GPU_QUERY_ARGS, PROCESS_QUERY_ARGS, parseGpus, parseProcesses } from './parse';
export { runCommand, type RunOptions, type RunResult, type SpawnFn } from './run';
export { failureOf, type Failure } from './states';
export { readNumber, unavailableReason, type Reading } from './values';
