/**
 * What a web player sends (seed 000): the session update it posts every 5–10 s during playback,
 * and the stop route's parameters and answers.
 */
import * as z from 'zod/mini';
import { nonNegativeInt } from '../primitives';
import { SessionState } from './snapshot';

/** Body the web player posts every 5–10 s during playback. Unknown fields are ignored. */
export const SessionUpdate = z.object({
  session_id: z.string().check(z.minLength(1), z.maxLength(200)),
  path: z.optional(z.string().check(z.maxLength(4096))),
  title: z.string().check(z.minLength(1), z.maxLength(500)),
  media_type: z.optional(z.string().check(z.minLength(1), z.maxLength(50))),
  current_time: z.number().check(z.minimum(0)),
  duration: z.number().check(z.minimum(0)),
  state: SessionState,
  poster_url: z.optional(z.string().check(z.maxLength(4096))),
  username: z.optional(z.string().check(z.maxLength(200))),
  bitrate: z.optional(nonNegativeInt),
});
export type SessionUpdate = z.infer<typeof SessionUpdate>;

export const SessionUpdateResponse = z.object({ status: z.literal('ok'), session_id: z.string() });

export const StopSessionResponse = z.object({ status: z.literal('ok'), message: z.string() });
export type StopSessionResponse = z.infer<typeof StopSessionResponse>;

export const SessionIdParams = z.object({
  session_id: z.string().check(z.minLength(1), z.maxLength(200)),
});
