/**
 * Where the package's executables are. This file sits one level below the package root in the
 * source (src/) and in the build (dist/), so the same relative URL works for both.
 */
import { fileURLToPath } from 'node:url';

/** The fake `nvidia-smi` executable: point `NVIDIA_SMI_PATH` at it. */
export const fakeNvidiaSmiPath: string = fileURLToPath(
  new URL('../bin/nvidia-smi', import.meta.url),
);

/** The `marquee-sim` executable. */
export const marqueeSimPath: string = fileURLToPath(new URL('../bin/marquee-sim', import.meta.url));
