/** Names of the environment variables the fake GPU host is driven by. */

/** The scenario file the fake nvidia-smi reads on every run. */
export const SCENARIO_ENV = 'MARQUEE_FAKE_GPU_SCENARIO';

/** The executable Marquee's GPU collector runs instead of the `nvidia-smi` on PATH. */
export const NVIDIA_SMI_PATH_ENV = 'NVIDIA_SMI_PATH';
