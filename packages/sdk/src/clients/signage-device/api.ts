/**
 * The device's REST calls (seed 002), typed against the signage route table so a renamed path
 * fails to compile here: register, the playlists of the device's screens, a screenshot and a
 * batch of plays (proof of play).
 * Auth, the refresh before expiry and the one retry after a 401 come from the HTTP helper and
 * the TokenManager behind it.
 */
import { RegisterDeviceResponse, type DeviceModel } from '../../protocol/signage/device';
import { DeviceScreens } from '../../protocol/signage/playlist';
import { PlayBatchResult, type PlayRecord } from '../../protocol/signage/proof-of-play';
import type { proofOfPlayRoutes } from '../../protocol/signage/proof-of-play';
import {
  SCREENSHOT_FILE_FIELD,
  ScreenshotResponse,
  type ScreenshotFields,
} from '../../protocol/signage/screenshot';
import type { signageRoutes } from '../../protocol/signage/surface';
import type { HttpClient } from '../../transport/http-client';

type RoutePath<Id> = Extract<(typeof signageRoutes)[number], { id: Id }>['path'];
const REGISTER_PATH: RoutePath<'signage.registerDevice'> = '/api/v1/admin/cloud/device/register/';
const PLAYLISTS_PATH: RoutePath<'signage.playlists'> = '/api/v1/admin/cloud/playlists';
const SCREENSHOT_PATH: RoutePath<'signage.screenshot'> = '/api/v1/screenshot';
const PROOF_OF_PLAY_PATH: Extract<
  (typeof proofOfPlayRoutes)[number],
  { id: 'signage.proofOfPlay' }
>['path'] = '/api/v1/cloud/proof-of-play/';

/** A JPEG screenshot: a Blob, or its bytes. */
export type ScreenshotImage = Blob | Uint8Array;

export class DeviceApi {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** `POST /admin/cloud/device/register/` (201 created, 200 updated; the same body). */
  register(device: DeviceModel): Promise<RegisterDeviceResponse> {
    return this.#http.request({
      method: 'POST',
      path: REGISTER_PATH,
      body: device,
      schema: RegisterDeviceResponse,
    });
  }

  /** `GET /admin/cloud/playlists?sn_number=`. */
  playlists(snNumber: string): Promise<DeviceScreens> {
    return this.#http.request({
      path: PLAYLISTS_PATH,
      query: { sn_number: snNumber },
      schema: DeviceScreens,
    });
  }

  /** `POST /screenshot`, multipart with `device_id`, `media_id` and the JPEG in `image_file`. */
  screenshot(
    fields: ScreenshotFields,
    image: ScreenshotImage,
    fileName = 'screenshot.jpg',
  ): Promise<ScreenshotResponse> {
    const form = new FormData();
    form.set('device_id', fields.device_id);
    form.set('media_id', String(fields.media_id));
    const blob =
      image instanceof Blob ? image : new Blob([new Uint8Array(image)], { type: 'image/jpeg' });
    form.set(SCREENSHOT_FILE_FIELD, blob, fileName);
    return this.#http.request({
      method: 'POST',
      path: SCREENSHOT_PATH,
      formData: form,
      schema: ScreenshotResponse,
    });
  }

  /** `POST /cloud/proof-of-play/`: at most MAX_PLAY_BATCH plays of device `snNumber`. */
  proofOfPlay(snNumber: string, plays: PlayRecord[]): Promise<PlayBatchResult> {
    return this.#http.request({
      method: 'POST',
      path: PROOF_OF_PLAY_PATH,
      body: { sn_number: snNumber, plays },
      schema: PlayBatchResult,
    });
  }
}
