/**
 * Device registration: a TV reports what it is on every start, and the server creates or
 * updates the device keyed by `sn_number` (201 when created, 200 when updated).
 */
import * as z from 'zod/mini';

/**
 * 0–100 device level with the seed's default of 50, applied when the device omits it so stored
 * devices always carry a value (the seed's `DeviceModel` has `brightness: number`).
 */
const level = z._default(z.number().check(z.int(), z.minimum(0), z.maximum(100)), 50);

/** A device-reported descriptive string; the bound is Marquee's, to keep rows small. */
const deviceText = z.string().check(z.maxLength(255));

/**
 * The seed's `DeviceModel`, which is also the register body. Required and optional fields are
 * exactly the seed's; free-form values (storage "32GB", resolution "1920x1080", MAC, IP) are not
 * parsed further because the seed gives examples, not formats.
 */
export const DeviceModel = z
  .object({
    /** The device's identity everywhere else (playlists query, WebSocket, screenshots). */
    sn_number: z.string().check(z.minLength(1), z.maxLength(255)),
    brand: deviceText,
    model: deviceText,
    manufacturer: deviceText,
    os_version: deviceText,
    screen_resolution: deviceText,
    total_storage: deviceText,
    free_storage: deviceText,
    mac_address: z.optional(deviceText),
    app_version: deviceText,
    ip_address: z.optional(deviceText),
    brightness: level,
    volume: level,
  })
  .register(z.globalRegistry, { id: 'SignageDeviceModel' });
export type DeviceModel = z.infer<typeof DeviceModel>;
/** What a client may send: `brightness` and `volume` may be left out. */
export type DeviceModelInput = z.input<typeof DeviceModel>;

/** Register response, the same body for 200 (updated) and 201 (created). */
export const RegisterDeviceResponse = z
  .object({ data: z.object({ sn_number: z.string().check(z.minLength(1)) }) })
  .register(z.globalRegistry, { id: 'SignageRegisterDeviceResponse' });
export type RegisterDeviceResponse = z.infer<typeof RegisterDeviceResponse>;
