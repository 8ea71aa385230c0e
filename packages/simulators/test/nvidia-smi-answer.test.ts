/** The fake nvidia-smi's argument handling, in process (the executable is tested in nvidia-smi.test.ts). */
import { describe, expect, it } from 'vitest';
import { answerNvidiaSmi } from '../src/gpu/nvidia-smi';
import { GpuScenario, defaultGpuScenario, fakeGpu } from '../src/gpu/scenario';

const twoGpus = GpuScenario.parse({
  gpus: [
    fakeGpu(0, { processes: [{ pid: 10, name: 'a', usedMemory: 1 }] }),
    fakeGpu(1, { processes: [{ pid: 20, name: 'b', usedMemory: 2 }] }),
  ],
});
const uuid1 = twoGpus.gpus[1]?.uuid ?? '';

describe('answerNvidiaSmi', () => {
  it('accepts `--opt value` as well as `--opt=value`', () => {
    const answer = answerNvidiaSmi(['--query-gpu', 'index', '--format', 'csv,noheader'], twoGpus);
    expect(answer).toEqual({ stdout: '0\n1\n', stderr: '', exitCode: 0 });
  });

  it('targets GPUs by index or UUID with -i/--id', () => {
    expect(
      answerNvidiaSmi(['-i', uuid1, '--query-gpu=index', '--format=csv,noheader'], twoGpus).stdout,
    ).toBe('1\n');
    expect(
      answerNvidiaSmi(['--id=0,1', '--query-gpu=index', '--format=csv,noheader'], twoGpus).stdout,
    ).toBe('0\n1\n');
    expect(
      answerNvidiaSmi(['--id=7', '--query-gpu=index', '--format=csv,noheader'], twoGpus),
    ).toMatchObject({ exitCode: 6, stdout: 'No devices were found\n' });
    expect(
      answerNvidiaSmi(
        ['-i', '1', '--query-compute-apps=pid,name', '--format=csv,noheader'],
        twoGpus,
      ).stdout,
    ).toBe('20, b\n');
  });

  it('prints only the header for compute apps when there are none', () => {
    const idle = defaultGpuScenario(1);
    expect(
      answerNvidiaSmi(['--query-compute-apps=pid,used_memory', '--format=csv'], idle).stdout,
    ).toBe('pid, used_gpu_memory [MiB]\n');
  });

  it('lists GPUs with -L, and with no arguments', () => {
    const expected = `GPU 0: NVIDIA GeForce RTX 4090 (UUID: ${twoGpus.gpus[0]?.uuid})\nGPU 1: NVIDIA GeForce RTX 4090 (UUID: ${uuid1})\n`;
    expect(answerNvidiaSmi(['-L'], twoGpus).stdout).toBe(expected);
    expect(answerNvidiaSmi([], twoGpus).stdout).toBe(expected);
  });

  it('rejects what real nvidia-smi rejects, with exit 2', () => {
    const invalid =
      "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n";
    for (const argv of [
      ['--format=csv'],
      ['--query-gpu=index'],
      ['--query-gpu=index', '--query-compute-apps=pid', '--format=csv'],
      ['--query-gpu=index', '--format=xml'],
      ['--query-gpu=index', '--format=csv,noheaders'],
      ['--query-gpu'],
    ]) {
      expect(answerNvidiaSmi(argv, twoGpus), argv.join(' ')).toMatchObject({
        exitCode: 2,
        stdout: invalid,
      });
    }
    expect(answerNvidiaSmi(['extra'], twoGpus).stdout).toBe(
      "ERROR: Option extra is not recognized. Please run 'nvidia-smi -h'.\n",
    );
    expect(
      answerNvidiaSmi(['--query-compute-apps=pid,memory.used', '--format=csv'], twoGpus).stdout,
    ).toBe('Field "memory.used" is not a valid field to query.\n\n');
  });

  it('checks arguments before talking to the driver, as nvidia-smi does', () => {
    const broken = GpuScenario.parse({ ...twoGpus, failure: 'no_driver' });
    expect(answerNvidiaSmi(['--bogus'], broken).exitCode).toBe(2);
    expect(answerNvidiaSmi(['--query-gpu=index', '--format=csv'], broken).exitCode).toBe(9);
    expect(answerNvidiaSmi(['--help'], broken)).toMatchObject({ exitCode: 0 });
  });

  it('derives memory.free only when both total and used are numbers', () => {
    const scenario = GpuScenario.parse({ gpus: [fakeGpu(0, { memoryUsed: '[N/A]' })] });
    expect(
      answerNvidiaSmi(['--query-gpu=memory.free', '--format=csv,noheader'], scenario).stdout,
    ).toBe('[N/A]\n');
  });
});
