import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod/mini';
import {
  GpuDevice,
  GpuServerMessage,
  LoadModelRequest,
  ModelActionResponse,
  ModelDownloadProgress,
  ModelRequest,
  OllamaLoadedList,
  OllamaModelList,
  VramStatus,
  VramUpdate,
  gpuErrorShape,
  gpuSurface,
  type DownloadStatus,
  type GpuMetricUnavailableReason,
  type GpuState,
  type KeepAlive,
} from '../../src/protocol/gpu';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { expectIssueAt, testSeedExamples } from '../helpers/schema-assertions';

const examples = extractSeedExamples(readSeed('gpu'));

/** The seed's `model_download_progress` payload: `progress` and `status` are placeholders. */
const progressExample = examples[10]?.value as Record<string, unknown>;

describe('seed 004 examples', () => {
  // Each JSON example of the document, in document order, with the schema it documents.
  // `null` marks the one example that is a placeholder and cannot be valid as written.
  const schemas: Array<[string, z.core.$ZodType | null]> = [
    ['VRAM status response', VramStatus],
    ['Ollama list response', OllamaModelList],
    ['Ollama loaded response', OllamaLoadedList],
    ['load request', LoadModelRequest],
    ['load response', ModelActionResponse],
    ['unload request', ModelRequest],
    ['unload response', ModelActionResponse],
    ['download request', ModelRequest],
    ['download response', ModelActionResponse],
    ['vram_update payload', VramUpdate],
    ['model_download_progress payload (placeholder, see below)', null],
  ];

  testSeedExamples(examples, schemas);

  it('finds the examples under their documented headings', () => {
    expect(examples.map((e) => e.heading)).toEqual([
      ...Array<string>(9).fill('API Endpoints'),
      'WebSocket Events',
      'WebSocket Events',
    ]);
  });

  // The seed writes `"progress": "..."` and `"status": "downloading/complete/error"`: placeholders
  // for a value and a choice of three. Marquee's `progress` is a number (percent), so the literal
  // example is rejected on exactly those two fields; each substituted form parses.
  it('rejects the literal progress example only at its two placeholders', () => {
    const paths = ModelDownloadProgress.safeParse(progressExample).error?.issues.map((i) => i.path);
    expect(paths).toEqual([['progress'], ['status']]);
  });

  it.each(['downloading', 'complete', 'error'] as const)(
    'parses the progress example with status %s substituted',
    (status) => {
      const progress = status === 'downloading' ? 42.5 : status === 'complete' ? 100 : 10;
      const value = { ...progressExample, progress, status };
      expect(ModelDownloadProgress.safeParse(value).error).toBeUndefined();
      expect(
        GpuServerMessage.safeParse({ event: 'model_download_progress', data: value }).error,
      ).toBeUndefined();
    },
  );

  it('accepts the vram_update example as a server frame', () => {
    const frame = { event: 'vram_update', data: examples[9]?.value };
    expect(GpuServerMessage.parse(frame).event).toBe('vram_update');
  });
});

describe('Marquee extensions', () => {
  const status = examples[0]?.value as z.input<typeof VramStatus>;
  const device: z.input<typeof GpuDevice> = {
    index: 0,
    uuid: 'GPU-5f3e6a1c-0000-4000-8000-000000000000',
    name: 'NVIDIA GeForce RTX 4090',
    total_mb: 24564,
    used_mb: 10240,
    free_mb: 14324,
    utilization: 37,
    temperature_c: 54,
    power_draw_w: null,
    power_limit_w: 450,
    unavailable: { power_draw_w: 'not_supported' },
  };

  it('accepts multi-GPU data, processes and the state fields', () => {
    expect(GpuDevice.safeParse(device).error).toBeUndefined();
    const value = {
      ...status,
      gpus: [device, { ...device, index: 1, uuid: 'GPU-2', unavailable: {} }],
      processes: [
        { gpu_uuid: device.uuid, pid: 4242, process_name: 'ollama', used_memory_mb: 9000 },
        { gpu_uuid: 'GPU-2', pid: 7, process_name: 'python', used_memory_mb: null },
      ],
      state: 'ok',
      last_success_at: '2025-01-15T10:30:00Z',
    };
    expect(VramStatus.safeParse(value).error).toBeUndefined();
  });

  it('reports no GPU as gpu: null with a state', () => {
    const value = {
      gpu: null,
      processes: [],
      gpus: [],
      state: 'no_driver',
      last_success_at: null,
      error: 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver',
    };
    expect(VramStatus.safeParse(value).error).toBeUndefined();
  });

  it('accepts keep_alive as a Go duration or seconds, not as free text', () => {
    for (const keep_alive of ['5m', '1h30m', '0', '-1m', 300, -1, 0]) {
      expect(LoadModelRequest.safeParse({ model_name: 'llama2', keep_alive }).success).toBe(true);
    }
    expectIssueAt(LoadModelRequest, { model_name: 'llama2', keep_alive: 'five minutes' }, [
      'keep_alive',
    ]);
  });

  it('trims model names', () => {
    expect(ModelRequest.parse({ model_name: '  llama2 ' })).toEqual({ model_name: 'llama2' });
  });

  it('documents every route with 200 and 401, and only the seed routes without `extension`', () => {
    for (const route of gpuSurface.routes) {
      expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '401']));
    }
    expect(gpuSurface.routes.filter((r) => !('extension' in r)).map((r) => r.path)).toEqual([
      '/api/vram/status',
      '/api/models/ollama/list',
      '/api/models/ollama/loaded',
      '/api/models/ollama/load',
      '/api/models/ollama/unload',
      '/api/models/ollama/download',
    ]);
  });
});

describe('invalid variants', () => {
  const status = examples[0]?.value as z.input<typeof VramStatus>;
  const gpu = status.gpu!;

  it('rejects a missing, empty, blank or numeric model_name', () => {
    expectIssueAt(ModelRequest, {}, ['model_name']);
    expectIssueAt(ModelRequest, { model_name: '' }, ['model_name']);
    expectIssueAt(ModelRequest, { model_name: '   ' }, ['model_name']);
    expectIssueAt(ModelRequest, { model_name: 42 }, ['model_name']);
    expectIssueAt(LoadModelRequest, { model_name: 42 }, ['model_name']);
  });

  it('rejects utilization above 100 %', () => {
    expectIssueAt(VramStatus, { ...status, gpu: { ...gpu, utilization: 101 } }, [
      'gpu',
      'utilization',
    ]);
  });

  it('rejects negative memory', () => {
    expectIssueAt(VramStatus, { ...status, gpu: { ...gpu, used_mb: -1 } }, ['gpu', 'used_mb']);
    expectIssueAt(
      VramStatus,
      {
        ...status,
        processes: [{ gpu_uuid: 'GPU-1', pid: 1, process_name: 'x', used_memory_mb: -5 }],
      },
      ['processes', 0, 'used_memory_mb'],
    );
  });

  it('rejects unknown states, download statuses and metric reasons', () => {
    expectIssueAt(VramStatus, { ...status, state: 'melted' }, ['state']);
    expectIssueAt(
      ModelDownloadProgress,
      { ...progressExample, progress: 10, status: 'downloading/complete/error' },
      ['status'],
    );
    expectIssueAt(
      VramStatus,
      {
        ...status,
        gpus: [
          {
            index: 0,
            uuid: 'GPU-1',
            name: 'x',
            total_mb: null,
            used_mb: null,
            free_mb: null,
            utilization: null,
            temperature_c: null,
            power_draw_w: null,
            power_limit_w: null,
            unavailable: { total_mb: '[N/A]' },
          },
        ],
      },
      ['gpus', 0, 'unavailable', 'total_mb'],
    );
  });

  it('rejects progress outside 0–100 and as a string', () => {
    const valid = { ...progressExample, progress: 50, status: 'downloading' };
    expectIssueAt(ModelDownloadProgress, { ...valid, progress: 101 }, ['progress']);
    expectIssueAt(ModelDownloadProgress, { ...valid, progress: '50' }, ['progress']);
  });

  it('rejects an unknown event name and a payload under the wrong event', () => {
    const data = examples[9]?.value;
    expectIssueAt(GpuServerMessage, { event: 'vram_updated', data }, ['event']);
    expectIssueAt(GpuServerMessage, { event: 'model_download_progress', data }, [
      'data',
      'model_name',
    ]);
  });

  it('rejects a vram_update payload without timestamp', () => {
    expectIssueAt(VramUpdate, status, ['timestamp']);
  });
});

describe('error shape', () => {
  it('renders and reads back Flask-style errors', () => {
    const body = gpuErrorShape.render({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'Ollama is not running',
    });
    expect(body).toEqual({
      success: false,
      error: 'SERVICE_UNAVAILABLE',
      message: 'Ollama is not running',
    });
    expect(gpuErrorShape.read(body)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Ollama is not running',
    });
    const withDetails = gpuErrorShape.render({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'model_name is required',
      details: [{ path: ['model_name'] }],
    });
    expect(gpuErrorShape.read(withDetails)).toEqual({
      code: 'BAD_REQUEST',
      message: 'model_name is required',
      details: [{ path: ['model_name'] }],
    });
    expect(gpuErrorShape.read({ detail: 'x' })).toBeUndefined();
    expect(gpuErrorShape.read({ success: true, message: 'ok', model_name: 'x' })).toBeUndefined();
  });
});

describe('inferred types', () => {
  it('exposes the documented fields', () => {
    expectTypeOf<VramStatus['gpu']>().toEqualTypeOf<{
      name: string;
      total_mb: number;
      used_mb: number;
      free_mb: number;
      utilization: number;
    } | null>();
    expectTypeOf<VramStatus['state']>().toEqualTypeOf<GpuState | undefined>();
    expectTypeOf<VramUpdate['timestamp']>().toEqualTypeOf<number>();
    expectTypeOf<GpuDevice['power_draw_w']>().toEqualTypeOf<number | null>();
    expectTypeOf<GpuDevice['unavailable']['utilization']>().toEqualTypeOf<
      GpuMetricUnavailableReason | undefined
    >();
    expectTypeOf<ModelActionResponse['success']>().toEqualTypeOf<true>();
    expectTypeOf<LoadModelRequest['keep_alive']>().toEqualTypeOf<KeepAlive | undefined>();
    expectTypeOf<KeepAlive>().toEqualTypeOf<string | number>();
    expectTypeOf<ModelDownloadProgress['progress']>().toEqualTypeOf<number>();
    expectTypeOf<DownloadStatus>().toEqualTypeOf<'downloading' | 'complete' | 'error'>();
    expectTypeOf<GpuServerMessage['event']>().toEqualTypeOf<
      'vram_update' | 'model_download_progress'
    >();
    expectTypeOf<Extract<GpuServerMessage, { event: 'vram_update' }>['data']>().toEqualTypeOf<
      z.infer<typeof VramUpdate>
    >();
  });
});
