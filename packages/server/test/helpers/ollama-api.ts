/**
 * Ollama's API as its documentation shows it (docs/api.md: List Local Models, List Running
 * Models, Pull a Model), for msw handlers: the example bodies and an NDJSON stream builder.
 */
import { HttpResponse, delay } from 'msw';

// docs/api.md "List Local Models" (GET /api/tags)
export const TAGS = {
  models: [
    {
      name: 'deepseek-r1:latest',
      model: 'deepseek-r1:latest',
      modified_at: '2025-05-10T08:06:48.639712648-07:00',
      size: 4683075271,
      digest: '0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'qwen2',
        families: ['qwen2'],
        parameter_size: '7.6B',
        quantization_level: 'Q4_K_M',
      },
    },
    {
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      modified_at: '2025-05-04T17:37:44.706015396-07:00',
      size: 2019393189,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    },
  ],
};

// docs/api.md "List Running Models" (GET /api/ps), plus a model split between CPU and GPU.
export const PS = {
  models: [
    {
      name: 'mistral:latest',
      model: 'mistral:latest',
      size: 5137025024,
      digest: '2ae6f6dd7a3dd734790bbbf58b8909a606e0e7e97e94b7604e0aa7ae4490e6d8',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '7.2B',
        quantization_level: 'Q4_0',
      },
      expires_at: '2024-06-04T14:38:31.83753-07:00',
      size_vram: 5137025024,
    },
    {
      name: 'llama3.1:70b',
      model: 'llama3.1:70b',
      size: 43_000_000_000,
      digest: 'c0df3564cfe8a1e3a6d9f1cdb3a8a7c0d1c0a5d5e1c0b3f6c0e3b7a8f2d1c0b9',
      details: { format: 'gguf', family: 'llama' },
      expires_at: '2024-06-04T14:40:00Z',
      size_vram: 22_360_000_000,
    },
  ],
};

/**
 * An NDJSON response whose lines are sent `gapMs` apart (or after `gap(i)` ms each); `open`
 * leaves it unfinished.
 */
export function ndjson(
  lines: readonly unknown[],
  options: { gapMs?: number; gap?: (index: number) => number; open?: boolean } = {},
) {
  const encoder = new TextEncoder();
  const state = { cancelled: false };
  let onCancel = (): void => undefined;
  const cancelled = new Promise<void>((resolve) => (onCancel = resolve));
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const [index, line] of lines.entries()) {
        const gap = options.gap?.(index) ?? options.gapMs ?? 0;
        // A cancelled stream stops at once rather than finishing its wait after the test.
        if (gap > 0) await Promise.race([delay(gap), cancelled]);
        if (state.cancelled) return;
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      }
      if (!options.open) controller.close();
    },
    cancel() {
      state.cancelled = true;
      onCancel();
    },
  });
  const response = new HttpResponse(stream, {
    status: 200,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  return { response, state };
}

export const LAYER_A = 'sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa';
export const LAYER_B = 'sha256:4fa551d4f938f68b8c1e6afa9d28befb70e3f33f75d0753248d530364aeea40f';

// docs/api.md "Pull a Model", streamed: manifest, each layer's completed/total, then success.
export const PULL_LINES = [
  { status: 'pulling manifest' },
  { status: 'pulling 6a0746a1ec1a', digest: LAYER_A, total: 1000 },
  { status: 'pulling 6a0746a1ec1a', digest: LAYER_A, total: 1000, completed: 250 },
  { status: 'pulling 6a0746a1ec1a', digest: LAYER_A, total: 1000, completed: 1000 },
  { status: 'pulling 4fa551d4f938', digest: LAYER_B, total: 1000 },
  { status: 'pulling 4fa551d4f938', digest: LAYER_B, total: 1000, completed: 500 },
  { status: 'pulling 4fa551d4f938', digest: LAYER_B, total: 1000, completed: 1000 },
  { status: 'verifying sha256 digest' },
  { status: 'writing manifest' },
  { status: 'success' },
];
