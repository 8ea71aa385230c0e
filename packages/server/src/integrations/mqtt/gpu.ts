/**
 * GPU VRAM to MQTT, from the GPU surface's shared nvidia-smi sampler (the one its panels use):
 * per GPU, used and total MiB and the percentage, announced when nvidia-smi first lists the GPU.
 * A machine without nvidia-smi (`not_installed`) is told apart by the caller, which then stops
 * sampling for MQTT.
 */
import type { protocol } from '@marquee/sdk';
import type { EntitySpec } from './discovery';
import type { Entities } from './entities';

type VramStatus = protocol.gpu.VramStatus;

export function gpuEntities(index: number): readonly EntitySpec[] {
  const state = `gpu/${index}`;
  const base = { component: 'sensor', stateClass: 'measurement', state } as const;
  return [
    {
      ...base,
      objectId: `gpu${index}_vram_used`,
      name: `GPU ${index} VRAM used`,
      valueTemplate: '{{ value_json.used_mb }}',
      unit: 'MiB',
      deviceClass: 'data_size',
      attributes: true,
    },
    {
      ...base,
      objectId: `gpu${index}_vram_total`,
      name: `GPU ${index} VRAM total`,
      valueTemplate: '{{ value_json.total_mb }}',
      unit: 'MiB',
      deviceClass: 'data_size',
    },
    {
      ...base,
      objectId: `gpu${index}_vram_percent`,
      name: `GPU ${index} VRAM`,
      valueTemplate: '{{ value_json.percent }}',
      unit: '%',
      icon: 'mdi:expansion-card',
    },
  ];
}

export class GpuEntities {
  readonly #entities: Entities;
  readonly #announced = new Set<number>();

  constructor(entities: Entities) {
    this.#entities = entities;
  }

  onStatus(status: VramStatus): void {
    for (const gpu of status.gpus ?? []) {
      if (!this.#announced.has(gpu.index)) {
        this.#announced.add(gpu.index);
        for (const spec of gpuEntities(gpu.index)) this.#entities.ensure(spec);
      }
      const percent =
        gpu.used_mb !== null && gpu.total_mb !== null && gpu.total_mb > 0
          ? Math.round((gpu.used_mb / gpu.total_mb) * 1000) / 10
          : null;
      this.#entities.state(`gpu/${gpu.index}`, {
        name: gpu.name,
        uuid: gpu.uuid,
        used_mb: gpu.used_mb,
        total_mb: gpu.total_mb,
        free_mb: gpu.free_mb,
        percent,
        utilization: gpu.utilization,
        temperature_c: gpu.temperature_c,
        state: status.state ?? 'ok',
      });
    }
  }
}
