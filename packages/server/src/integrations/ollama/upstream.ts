/**
 * What Ollama answers, as its API documentation gives it (docs/api.md: "List Local Models",
 * "List Running Models", "Pull a Model"; api/types.go for the field names). Only the fields
 * Marquee reads are required; anything else Ollama adds is let through, so a newer Ollama keeps
 * working. These are upstream shapes, not Marquee messages: the adapter turns them into the
 * protocol's.
 */
import { z } from 'zod';

/** One entry of `GET /api/tags`. */
export const TagsModel = z.object({
  name: z.string(),
  model: z.string().optional(),
  modified_at: z.string().optional(),
  size: z.number().nonnegative(),
  digest: z.string(),
});

export const TagsResponse = z.object({ models: z.array(TagsModel).nullable().default([]) });

/** One entry of `GET /api/ps`. */
export const PsModel = z.object({
  name: z.string(),
  model: z.string().optional(),
  size: z.number().nonnegative(),
  digest: z.string(),
  expires_at: z.string().optional(),
  size_vram: z.number().nonnegative().optional(),
});

export const PsResponse = z.object({ models: z.array(PsModel).nullable().default([]) });

/**
 * One NDJSON line of `POST /api/pull`: a status, with `digest`, `total` and `completed` while a
 * layer downloads (Go's `omitempty` drops `completed` while it is 0), or `{"error": "..."}`.
 */
export const PullLine = z.object({
  status: z.string().optional(),
  digest: z.string().optional(),
  total: z.number().nonnegative().optional(),
  completed: z.number().nonnegative().optional(),
  error: z.string().optional(),
});
export type PullLine = z.infer<typeof PullLine>;

/** Ollama's error body: `{"error": "..."}`. */
export const ErrorBody = z.object({ error: z.string() });
