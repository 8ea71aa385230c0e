/**
 * Server → device control messages on `/ws/cloud/tb_device/`, one per `action`.
 *
 * Marquee adds an optional `command_id` to every action. A device that understands it answers
 * with an `ack` message carrying the same id, which lets the dashboard show whether a command
 * landed; a device written from the seed alone ignores the unknown field and keeps working.
 *
 * Marquee also stamps each stored command with `expires_at` (creation time plus its TTL). A
 * device that receives a command after that instant does not apply it and acks it with
 * `expired: true` (a screen that was offline for a day must not suddenly change playlist or
 * brightness); the server then records the command as `expired`. The comparison uses the
 * device's clock, so a device whose clock is far off can mistake a fresh command for an old one.
 */
import * as z from 'zod/mini';
import { hexColor, isoDateTime, nonNegativeInt, positiveInt } from '../primitives';

/** Marquee's correlation id; absent on commands nobody waits for. */
const commandId = z.optional(z.string().check(z.minLength(1), z.maxLength(128)));
/** When the command stops being valid; absent on commands sent without a TTL. */
const expiresAt = z.optional(isoDateTime);

/** A 0–100 level the device applies as-is. */
const level = z.number().check(z.int(), z.minimum(0), z.maximum(100));

function action<const A extends string, S extends z.core.$ZodShape>(name: A, shape: S) {
  return z.object({
    action: z.literal(name),
    command_id: commandId,
    expires_at: expiresAt,
    ...shape,
  });
}

/** Resume or start playback. */
export const PlayAction = action('play', {}).register(z.globalRegistry, {
  id: 'SignagePlayAction',
});
export type PlayAction = z.infer<typeof PlayAction>;
/** Pause playback. */
export const PauseAction = action('pause', {}).register(z.globalRegistry, {
  id: 'SignagePauseAction',
});
export type PauseAction = z.infer<typeof PauseAction>;
/** Skip to the next media item. */
export const NextAction = action('next', {}).register(z.globalRegistry, {
  id: 'SignageNextAction',
});
export type NextAction = z.infer<typeof NextAction>;
/** Go back to the previous media item. */
export const PreviousAction = action('previous', {}).register(z.globalRegistry, {
  id: 'SignagePreviousAction',
});
export type PreviousAction = z.infer<typeof PreviousAction>;

/**
 * Fetch the playlists again and download what changed; the device answers with
 * `ready_playlists` once done.
 */
export const ReloadPlaylistAction = action('reload_playlist', {}).register(z.globalRegistry, {
  id: 'SignageReloadPlaylistAction',
});
export type ReloadPlaylistAction = z.infer<typeof ReloadPlaylistAction>;

/** Switch to another playlist; the device answers with `ready_playlists` once it is ready. */
export const SwitchPlaylistAction = action('switch_playlist', {
  playlist_id: positiveInt,
}).register(z.globalRegistry, { id: 'SignageSwitchPlaylistAction' });
export type SwitchPlaylistAction = z.infer<typeof SwitchPlaylistAction>;

/** Jump to one media item, by id or by 0-based position in the current playlist. */
export const PlayMediaAction = action('play_media', {
  media_id: z.optional(positiveInt),
  /** 0-based index in the current playlist. */
  media_index: z.optional(nonNegativeInt),
}).register(z.globalRegistry, { id: 'SignagePlayMediaAction' });
export type PlayMediaAction = z.infer<typeof PlayMediaAction>;

/**
 * Text drawn over the playing media. The seed marks only `text` required and `font_size` and
 * the colours optional, leaving `position`, `animation` and `speed` unmarked; Marquee fills
 * those three with defaults when an admin leaves them out, so every overlay the server sends
 * carries them while a parser still accepts them missing.
 */
export const TextOverlay = z
  .object({
    text: z.string().check(z.minLength(1), z.maxLength(1000)),
    /** @default 'bottom' */
    position: z._default(z.enum(['top', 'bottom', 'left', 'right']), 'bottom'),
    /** @default 'scroll' */
    animation: z._default(z.enum(['scroll', 'static']), 'scroll'),
    /** Scroll speed in pixels per second (ignored when static). @default 50 */
    speed: z._default(z.number().check(z.minimum(0)), 50),
    /** Font size in pixels. */
    font_size: z.optional(positiveInt),
    background_color: z.optional(hexColor),
    text_color: z.optional(hexColor),
  })
  .register(z.globalRegistry, { id: 'SignageTextOverlay' });
export type TextOverlay = z.infer<typeof TextOverlay>;

/** Show a scrolling or static text overlay. */
export const ShowTextOverlayAction = action('show_text_overlay', {
  text_overlay: TextOverlay,
}).register(z.globalRegistry, { id: 'SignageShowTextOverlayAction' });
export type ShowTextOverlayAction = z.infer<typeof ShowTextOverlayAction>;

/** Hide the text overlay. */
export const HideTextOverlayAction = action('hide_text_overlay', {}).register(z.globalRegistry, {
  id: 'SignageHideTextOverlayAction',
});
export type HideTextOverlayAction = z.infer<typeof HideTextOverlayAction>;

/** Set screen brightness. */
export const SetBrightnessAction = action('set_brightness', { brightness: level }).register(
  z.globalRegistry,
  {
    id: 'SignageSetBrightnessAction',
  },
);
export type SetBrightnessAction = z.infer<typeof SetBrightnessAction>;

/** Set audio volume. */
export const SetVolumeAction = action('set_volume', { volume: level }).register(z.globalRegistry, {
  id: 'SignageSetVolumeAction',
});
export type SetVolumeAction = z.infer<typeof SetVolumeAction>;

/**
 * Marquee: capture what the screen shows now and upload it with `POST /screenshot` (the seed has
 * the upload but no action that asks for one). The ack follows the upload: ok once the server
 * took the image, refused when the device cannot capture or the upload failed.
 */
export const TakeScreenshotAction = action('take_screenshot', {}).register(z.globalRegistry, {
  id: 'SignageTakeScreenshotAction',
});
export type TakeScreenshotAction = z.infer<typeof TakeScreenshotAction>;

/** Every control message, discriminated by `action` (the seed's 11 actions and `take_screenshot`). */
export const ServerAction = z
  .discriminatedUnion('action', [
    PlayAction,
    PauseAction,
    NextAction,
    PreviousAction,
    ReloadPlaylistAction,
    SwitchPlaylistAction,
    PlayMediaAction,
    ShowTextOverlayAction,
    HideTextOverlayAction,
    SetBrightnessAction,
    SetVolumeAction,
    TakeScreenshotAction,
  ])
  .register(z.globalRegistry, { id: 'SignageServerAction' });
export type ServerAction = z.infer<typeof ServerAction>;
export type ServerActionName = ServerAction['action'];
