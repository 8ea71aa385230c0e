/** The SDK pieces the console test drives from Node: the admin client, and a TV that pairs. */
import { pairDevice, type PairedDevice } from '@marquee/sdk/device';

export { createSignageAdminClient, type SignageAdminClient } from '@marquee/sdk';

/** Starts pairing as a TV would: `code` is what it shows, `device` what it gets once approved. */
export function pairDeviceForTest(baseUrl: string): {
  readonly code: Promise<string>;
  readonly device: Promise<PairedDevice>;
} {
  let shown: (code: string) => void = () => {};
  const code = new Promise<string>((resolve) => (shown = resolve));
  const device = pairDevice({
    baseUrl,
    request: { hint: 'Lobby' },
    onCode: (value) => shown(value),
    backoff: { initialMs: 20, maxMs: 200 },
  });
  return { code, device };
}
