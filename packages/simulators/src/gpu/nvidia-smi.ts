/**
 * The fake nvidia-smi's answer to one command line, as a pure function of the arguments and the
 * scenario (the executable in `nvidia-smi-main.ts` only does the I/O).
 *
 * Understood, as real nvidia-smi spells them:
 *   --query-gpu=FIELDS --format=csv[,noheader][,nounits]   (fields: see fields.ts)
 *   --query-compute-apps=FIELDS --format=...
 *   -i / --id=INDEX|UUID[,...]   restrict to some GPUs ("No devices were found" when none match)
 *   -L / --list-gpus             `GPU 0: NAME (UUID: GPU-...)`
 *   -h / --help
 * With no arguments real nvidia-smi draws its summary table; the fake prints the `-L` list
 * instead (no Marquee code parses the table). Anything else is an unknown option (exit 2).
 *
 * To extend: add a field to fields.ts, or an option to `parseArgs` and a branch in
 * `answerNvidiaSmi`; keep messages and exit codes in failures.ts with their sources.
 */
import {
  NvidiaSmiExitCodes,
  failureAnswer,
  invalidCombination,
  invalidField,
  noDevices,
  unknownOption,
  type NvidiaSmiAnswer,
} from './failures';
import {
  COMPUTE_APP_FIELDS,
  GPU_FIELDS,
  formatCsv,
  resolveFields,
  type CsvFormat,
  type GpuRow,
  type ProcessRow,
} from './fields';
import type { GpuScenario } from './scenario';

interface Args {
  queryGpu?: string;
  queryApps?: string;
  format?: string;
  id?: string;
  list: boolean;
  help: boolean;
}

const VALUE_OPTIONS: Record<string, 'queryGpu' | 'queryApps' | 'format' | 'id'> = {
  '--query-gpu': 'queryGpu',
  '--query-compute-apps': 'queryApps',
  '--format': 'format',
  '--id': 'id',
  '-i': 'id',
};

const FLAG_OPTIONS: Record<string, 'list' | 'help'> = {
  '--list-gpus': 'list',
  '-L': 'list',
  '--help': 'help',
  '-h': 'help',
};

function parseArgs(argv: readonly string[]): Args | NvidiaSmiAnswer {
  const args: Args = { list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const flag = FLAG_OPTIONS[name];
    if (flag && eq === -1) {
      args[flag] = true;
      continue;
    }
    const key = VALUE_OPTIONS[name];
    if (!key) return unknownOption(arg);
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) return invalidCombination;
    args[key] = value;
  }
  return args;
}

function parseFormat(format: string): CsvFormat | undefined {
  const tokens = format.split(',').map((t) => t.trim());
  if (!tokens.includes('csv')) return undefined;
  if (tokens.some((t) => !['csv', 'noheader', 'nounits'].includes(t))) return undefined;
  return { header: !tokens.includes('noheader'), units: !tokens.includes('nounits') };
}

function selectGpus(scenario: GpuScenario, id: string | undefined): GpuRow[] {
  const rows = scenario.gpus.map((gpu, index) => ({ index, gpu }));
  if (id === undefined) return rows;
  const wanted = id.split(',').map((s) => s.trim());
  return rows.filter((r) => wanted.includes(String(r.index)) || wanted.includes(r.gpu.uuid));
}

const HELP = `NVIDIA System Management Interface -- Marquee fake (simulates a GPU host for tests)

nvidia-smi [OPTION1 [ARG1]] [OPTION2 [ARG2]] ...

    -h,   --help                Print usage information and exit.
    -L,   --list-gpus           Display a list of GPUs connected to the system.
    -i,   --id=                 Target a specific GPU.
    --query-gpu=                Information about GPU.
    --query-compute-apps=       List of currently active compute processes.
    --format=                   csv, optionally with noheader and/or nounits.

The scenario is read from the JSON file named by MARQUEE_FAKE_GPU_SCENARIO.
`;

function ok(stdout: string): NvidiaSmiAnswer {
  return { stdout, stderr: '', exitCode: NvidiaSmiExitCodes.ok };
}

/** What nvidia-smi prints, and its exit status, for `argv` on the host `scenario` describes. */
export function answerNvidiaSmi(argv: readonly string[], scenario: GpuScenario): NvidiaSmiAnswer {
  const args = parseArgs(argv);
  if ('exitCode' in args) return args;
  if (args.help) return ok(HELP);

  const query = args.queryGpu ?? args.queryApps;
  if (args.queryGpu !== undefined && args.queryApps !== undefined) return invalidCombination;
  if ((query === undefined) !== (args.format === undefined)) return invalidCombination;
  if (query !== undefined && args.list) return invalidCombination;
  const format = args.format === undefined ? undefined : parseFormat(args.format);
  if (args.format !== undefined && format === undefined) return invalidCombination;

  const requested = query?.split(',') ?? [];
  const gpuFields = args.queryGpu === undefined ? undefined : resolveFields(GPU_FIELDS, requested);
  if (gpuFields && 'unknown' in gpuFields) return invalidField(gpuFields.unknown);
  const appFields =
    args.queryApps === undefined ? undefined : resolveFields(COMPUTE_APP_FIELDS, requested);
  if (appFields && 'unknown' in appFields) return invalidField(appFields.unknown);

  if (scenario.failure) return failureAnswer(scenario.failure, scenario.driverVersion);
  const gpus = selectGpus(scenario, args.id);
  if (gpus.length === 0) return noDevices;

  if (gpuFields && format) return ok(formatCsv(gpuFields.fields, gpus, format));
  if (appFields && format) {
    const rows: ProcessRow[] = gpus.flatMap(({ gpu }) =>
      gpu.processes.map((process) => ({ gpu, process })),
    );
    return ok(formatCsv(appFields.fields, rows, format));
  }
  return ok(
    gpus.map(({ index, gpu }) => `GPU ${index}: ${gpu.name} (UUID: ${gpu.uuid})\n`).join(''),
  );
}
