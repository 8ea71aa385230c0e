/**
 * Provisions a signage fleet on a Marquee server the way seed 002's TVs do it: one account signs
 * in once (`POST /api/v1/auth/token/`) and each device registers itself with that token
 * (`POST /api/v1/admin/cloud/device/register/`, 201), which makes the account its owner; the same
 * token then opens every device's socket. The API has no batch registration, so the registrations
 * run concurrently over keep-alive connections.
 */

export const DEVICE_ACCOUNT = { username: 'fleet', password: 'fleet-password-not-secret' } as const;

/** The serial number of device `i` of a fleet: `<prefix>00000`, `<prefix>00001`, … */
export function serialNumber(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(5, '0')}`;
}

/** Registers `<prefix><00000>` … as `token`'s devices; resolves with how long it took (ms). */
export async function registerDevices(
  url: string,
  token: string,
  prefix: string,
  count: number,
  concurrency = 32,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const sn = serialNumber(prefix, next++);
      const res = await fetch(`${url}/api/v1/admin/cloud/device/register/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          sn_number: sn,
          brand: 'Bench',
          model: 'Signage TV',
          manufacturer: 'Marquee',
          os_version: 'Android 11',
          screen_resolution: '1920x1080',
          total_storage: '32GB',
          free_storage: '20GB',
          app_version: '1.0.0',
        }),
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`register ${sn}: ${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return performance.now() - started;
}
