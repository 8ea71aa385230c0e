/**
 * The answer of `POST /api/generate` when it has a prompt: a canned text, streamed as NDJSON a
 * word at a time (Ollama's default) or as one JSON object with `stream: false`. The fake exists
 * for model management, so the text is fixed; a test that needs other text can answer the
 * request itself with an `onRequest` hook.
 */
import type { ServerResponse } from 'node:http';
import { pause, sendJson } from './http';

export const CANNED_ANSWER = 'This is a simulated answer from the Marquee fake Ollama.';

export async function sendPromptAnswer(
  res: ServerResponse,
  request: { model: string; prompt: string; stream: boolean },
  now: () => Date,
): Promise<void> {
  const reply = (fields: Record<string, unknown>) => ({
    model: request.model,
    created_at: now().toISOString(),
    ...fields,
  });
  const words = CANNED_ANSWER.split(/(?<= )/);
  // Ollama's final chunk: empty response, the reason and the timings (nanoseconds).
  const last = reply({
    response: '',
    done: true,
    done_reason: 'stop',
    total_duration: 1_000_000 * words.length,
    load_duration: 1_000_000,
    prompt_eval_count: request.prompt.split(/\s+/).length,
    eval_count: words.length,
    eval_duration: 900_000 * words.length,
  });
  if (!request.stream) {
    sendJson(res, 200, { ...last, response: CANNED_ANSWER });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  for (const word of words) {
    if (res.destroyed) return;
    res.write(`${JSON.stringify(reply({ response: word, done: false }))}\n`);
    await pause(0);
  }
  res.end(`${JSON.stringify(last)}\n`);
}
