/**
 * What the player does with a control action, decided as data so it is tested without a page:
 * an action past its `expires_at` is not applied and acked as expired; one the device cannot do
 * (brightness without a native bridge) is refused as unsupported; everything else becomes one
 * effect the player applies, its ack following the outcome. Re-deliveries are the SDK's
 * `CommandLedger`'s business, before this.
 */
import {
  expiredAck,
  expiredAt,
} from '../../../../packages/sdk/src/clients/signage-device/commands';
import type { AckMessage, ServerAction, TextOverlay } from './types';

/** What the device can do beyond the page (see bridge.ts). */
export interface Capabilities {
  readonly brightness: boolean;
}

export type Effect =
  | { readonly kind: 'play' | 'pause' | 'next' | 'previous' }
  | { readonly kind: 'jump'; readonly mediaId?: number; readonly mediaIndex?: number }
  | { readonly kind: 'reload' }
  | { readonly kind: 'switch'; readonly playlistId: number }
  | { readonly kind: 'overlay'; readonly overlay: TextOverlay | undefined }
  | { readonly kind: 'brightness'; readonly level: number }
  | { readonly kind: 'volume'; readonly level: number }
  | { readonly kind: 'screenshot' };

export type Plan =
  /** Not applied; `ack` (when the command carries an id) says it expired. */
  | { readonly kind: 'expired'; readonly ack: AckMessage | undefined }
  /** Not applied: the device cannot do it. */
  | { readonly kind: 'unsupported'; readonly error: string }
  | { readonly kind: 'apply'; readonly effect: Effect };

export function planCommand(action: ServerAction, nowMs: number, can: Capabilities): Plan {
  const late = expiredAt(action, nowMs);
  if (late !== undefined) return { kind: 'expired', ack: expiredAck(action, late) };
  switch (action.action) {
    case 'play':
    case 'pause':
    case 'next':
    case 'previous':
      return { kind: 'apply', effect: { kind: action.action } };
    case 'play_media':
      return {
        kind: 'apply',
        effect: {
          kind: 'jump',
          ...(action.media_id === undefined ? {} : { mediaId: action.media_id }),
          ...(action.media_index === undefined ? {} : { mediaIndex: action.media_index }),
        },
      };
    case 'reload_playlist':
      return { kind: 'apply', effect: { kind: 'reload' } };
    case 'switch_playlist':
      return { kind: 'apply', effect: { kind: 'switch', playlistId: action.playlist_id } };
    case 'show_text_overlay':
      return { kind: 'apply', effect: { kind: 'overlay', overlay: action.text_overlay } };
    case 'hide_text_overlay':
      return { kind: 'apply', effect: { kind: 'overlay', overlay: undefined } };
    case 'set_brightness':
      if (!can.brightness) {
        return {
          kind: 'unsupported',
          error: 'Brightness is not supported here: no native bridge (a plain browser)',
        };
      }
      return { kind: 'apply', effect: { kind: 'brightness', level: action.brightness } };
    case 'set_volume':
      // The page's own media volume always applies; the bridge's system volume where it exists.
      return { kind: 'apply', effect: { kind: 'volume', level: action.volume } };
    case 'take_screenshot':
      return { kind: 'apply', effect: { kind: 'screenshot' } };
  }
}
