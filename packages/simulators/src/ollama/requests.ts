/**
 * The request bodies the fake Ollama reads, from Ollama's api/types.go (GenerateRequest,
 * PullRequest, DeleteRequest). Unknown fields are ignored, as Go's decoder does; `name` is the
 * deprecated spelling of `model` that Ollama still accepts for pull and delete.
 */
import { z } from 'zod';

const KeepAliveValue = z.union([z.string(), z.number()]);

export const GenerateBody = z.object({
  model: z.string().default(''),
  prompt: z.string().optional(),
  stream: z.boolean().optional(),
  keep_alive: KeepAliveValue.optional(),
});
export type GenerateBody = z.infer<typeof GenerateBody>;

export const PullBody = z.object({
  model: z.string().optional(),
  name: z.string().optional(),
  stream: z.boolean().optional(),
  insecure: z.boolean().optional(),
});
export type PullBody = z.infer<typeof PullBody>;

export const DeleteBody = z.object({
  model: z.string().optional(),
  name: z.string().optional(),
});
export type DeleteBody = z.infer<typeof DeleteBody>;
