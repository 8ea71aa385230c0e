/**
 * The fake nvidia-smi process (started through bin/nvidia-smi): reads the scenario named by
 * `MARQUEE_FAKE_GPU_SCENARIO` (the default one-GPU host when unset), appends the invocation to the
 * scenario's log, prints the answer and exits with its status, or never exits for `hang`.
 */
import { appendFileSync } from 'node:fs';
import { NvidiaSmiExitCodes } from './failures';
import { answerNvidiaSmi } from './nvidia-smi';
import { SCENARIO_ENV } from './env';
import { defaultGpuScenario, readGpuScenario, type GpuScenario } from './scenario';

function loadScenario(): GpuScenario | Error {
  const path = process.env[SCENARIO_ENV];
  if (!path) return defaultGpuScenario();
  try {
    return readGpuScenario(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new Error(`cannot read the scenario ${path} (${SCENARIO_ENV}): ${reason}`);
  }
}

function main(argv: string[]): void {
  const scenario = loadScenario();
  if (scenario instanceof Error) {
    process.stderr.write(`marquee fake nvidia-smi: ${scenario.message}\n`);
    process.exitCode = NvidiaSmiExitCodes.other;
    return;
  }
  if (scenario.log) {
    try {
      appendFileSync(scenario.log, `${JSON.stringify({ at: new Date().toISOString(), argv })}\n`);
    } catch (error) {
      // Still answer: the log is for tests, the answer is what the caller waits for.
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `marquee fake nvidia-smi: cannot append to ${scenario.log}: ${reason}\n`,
      );
    }
  }
  const answer = answerNvidiaSmi(argv, scenario);
  if (answer.hang) {
    // A wedged driver call: stay alive, print nothing, until the caller kills us.
    setInterval(() => undefined, 60_000);
    return;
  }
  process.stdout.write(answer.stdout);
  process.stderr.write(answer.stderr);
  // exitCode, not exit(): a pipe reader still gets all of stdout.
  process.exitCode = answer.exitCode;
}

main(process.argv.slice(2));
