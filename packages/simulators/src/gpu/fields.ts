/**
 * The `--query-gpu` and `--query-compute-apps` fields the fake answers, with nvidia-smi's CSV
 * conventions (`nvidia-smi --help-query-gpu`, and its output as quoted in public issues):
 * - the header names the canonical field, whatever alias was asked for (`gpu_name` -> `name`,
 *   `used_memory` -> `used_gpu_memory`), with the unit in brackets: `memory.total [MiB]`;
 * - with units, a value carries its unit after a space (`24564 MiB`, `3 %`, `27.53 W`);
 *   `nounits` drops it; `temperature.gpu` has no unit in either;
 * - watts have two decimals (`450.00`), MiB, percent and degrees are whole numbers;
 * - a value that cannot be read is its bracketed string (`[N/A]`), the same in every format.
 */
import type { GpuProcessSpec, GpuReading, GpuSpec } from './scenario';

type Kind = 'int' | 'watts' | 'text';

interface FieldDef<Row> {
  /** Canonical name, as the header prints it. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly unit?: string;
  readonly kind: Kind;
  read(row: Row): GpuReading;
}

/** A GPU with its nvidia-smi index. */
export interface GpuRow {
  readonly index: number;
  readonly gpu: GpuSpec;
}

/** A compute process with the GPU it runs on. */
export interface ProcessRow {
  readonly gpu: GpuSpec;
  readonly process: GpuProcessSpec;
}

function freeMemory(gpu: GpuSpec): GpuReading {
  if (gpu.memoryFree !== undefined) return gpu.memoryFree;
  if (typeof gpu.memoryTotal === 'number' && typeof gpu.memoryUsed === 'number') {
    return Math.max(0, gpu.memoryTotal - gpu.memoryUsed);
  }
  return '[N/A]';
}

export const GPU_FIELDS: readonly FieldDef<GpuRow>[] = [
  { name: 'index', aliases: [], kind: 'int', read: (r) => r.index },
  { name: 'uuid', aliases: ['gpu_uuid'], kind: 'text', read: (r) => r.gpu.uuid },
  { name: 'name', aliases: ['gpu_name'], kind: 'text', read: (r) => r.gpu.name },
  {
    name: 'memory.total',
    aliases: [],
    unit: 'MiB',
    kind: 'int',
    read: (r) => r.gpu.memoryTotal,
  },
  { name: 'memory.used', aliases: [], unit: 'MiB', kind: 'int', read: (r) => r.gpu.memoryUsed },
  { name: 'memory.free', aliases: [], unit: 'MiB', kind: 'int', read: (r) => freeMemory(r.gpu) },
  { name: 'utilization.gpu', aliases: [], unit: '%', kind: 'int', read: (r) => r.gpu.utilization },
  { name: 'temperature.gpu', aliases: [], kind: 'int', read: (r) => r.gpu.temperature },
  { name: 'power.draw', aliases: [], unit: 'W', kind: 'watts', read: (r) => r.gpu.powerDraw },
  { name: 'power.limit', aliases: [], unit: 'W', kind: 'watts', read: (r) => r.gpu.powerLimit },
];

export const COMPUTE_APP_FIELDS: readonly FieldDef<ProcessRow>[] = [
  { name: 'gpu_uuid', aliases: [], kind: 'text', read: (r) => r.gpu.uuid },
  { name: 'gpu_name', aliases: [], kind: 'text', read: (r) => r.gpu.name },
  { name: 'pid', aliases: [], kind: 'int', read: (r) => r.process.pid },
  { name: 'process_name', aliases: ['name'], kind: 'text', read: (r) => r.process.name },
  {
    name: 'used_gpu_memory',
    aliases: ['used_memory'],
    unit: 'MiB',
    kind: 'int',
    read: (r) => r.process.usedMemory,
  },
];

/** The field definitions for `requested`, in order; the first unknown name when there is one. */
export function resolveFields<Row>(
  table: readonly FieldDef<Row>[],
  requested: readonly string[],
): { fields: FieldDef<Row>[] } | { unknown: string } {
  const fields: FieldDef<Row>[] = [];
  for (const raw of requested) {
    const name = raw.trim();
    const field = table.find((f) => f.name === name || f.aliases.includes(name));
    if (!field) return { unknown: name };
    fields.push(field);
  }
  return { fields };
}

export interface CsvFormat {
  readonly header: boolean;
  readonly units: boolean;
}

function formatValue<Row>(field: FieldDef<Row>, row: Row, units: boolean): string {
  const value = field.read(row);
  // Text, or a bracketed reason: printed as is, never with a unit.
  if (typeof value === 'string') return value;
  const text = field.kind === 'watts' ? value.toFixed(2) : String(Math.round(value));
  return units && field.unit ? `${text} ${field.unit}` : text;
}

/** nvidia-smi's CSV: `, ` between values, one row per line, the header first unless `noheader`. */
export function formatCsv<Row>(
  fields: readonly FieldDef<Row>[],
  rows: readonly Row[],
  format: CsvFormat,
): string {
  const lines: string[] = [];
  if (format.header) {
    lines.push(fields.map((f) => (f.unit ? `${f.name} [${f.unit}]` : f.name)).join(', '));
  }
  for (const row of rows) {
    lines.push(fields.map((f) => formatValue(f, row, format.units)).join(', '));
  }
  return lines.map((line) => `${line}\n`).join('');
}
