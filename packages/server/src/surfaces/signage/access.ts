/**
 * Device identity: how a user's access token is tied to a device's `sn_number`.
 *
 * Seed 002's TVs sign in with a user account, so the token a device carries is a user token: a
 * `device` account's. The binding is made at registration and stored with the device:
 *
 * - The first device account to register an `sn_number` claims it: it becomes the device's owner
 *   (`owner` in the admin API). Registering it again with the same account updates it (200).
 * - Another device account cannot register, read the playlists of, download the media of, upload
 *   screenshots for or open the socket of a device it does not own: 403 FORBIDDEN (HTTP) or a
 *   refused upgrade (403). The device exists, so 404 would only hide what the admin API shows
 *   anyway; 403 tells the operator the account is the problem, not the serial number.
 * - Operators and admins may act as any device, and a device they registered stays unclaimed
 *   until a device account registers it. One device account may own several devices (a small
 *   fleet signing in as one account).
 * - A device account made by pairing is bound to the serial it was paired with: it registers that
 *   serial and no other (403), and the binding hands it the device even if another account
 *   registered it before (a replaced screen).
 * - An unknown `sn_number` is 404 for everybody (the seed's "Device not found").
 *
 * Display tokens and viewers never pass (the routes' `device` policy refuses them).
 */
import { MarqueeError } from '@marquee/sdk';
import { isOperator, type Identity, type UserIdentity } from '../../core/auth';
import type { SignageDeviceRecord, SignageRepositories } from './store';
import { findDevice } from './route-helpers';

/** The caller as a user; display tokens (and anonymous callers) are refused. */
export function requireUser(identity: Identity | undefined): UserIdentity {
  if (identity === undefined) throw new MarqueeError('UNAUTHORIZED', 'Authentication required');
  if (identity.kind !== 'user') throw new MarqueeError('FORBIDDEN', 'A user account is required');
  return identity;
}

/** Whether `user` may act as `device`. */
export function mayActAs(user: UserIdentity, device: SignageDeviceRecord): boolean {
  return isOperator(user.role) || device.ownerUserId === user.userId;
}

/** The owner a registration by `user` records: a device account claims; others leave it open. */
export function claimantOf(user: UserIdentity): number | null {
  return user.role === 'device' ? user.userId : null;
}

/** Throws FORBIDDEN unless `user` may (re-)register `device`. */
export function assertMayRegister(user: UserIdentity, device: SignageDeviceRecord): void {
  // An unclaimed device (registered by an operator or admin only) may be claimed by the next
  // device account.
  if (device.ownerUserId === null || mayActAs(user, device)) return;
  throw new MarqueeError('FORBIDDEN', `Device ${device.snNumber} is registered to another account`);
}

/** The device `snNumber` if `identity` may act as it: 404 unknown, 403 someone else's. */
export async function deviceFor(
  store: SignageRepositories,
  identity: Identity | undefined,
  snNumber: string,
): Promise<SignageDeviceRecord> {
  const user = requireUser(identity);
  const device = await findDevice(store, snNumber);
  if (!mayActAs(user, device)) {
    throw new MarqueeError('FORBIDDEN', `Device ${snNumber} is registered to another account`);
  }
  return device;
}

/** FORBIDDEN when `user` is a device account paired with another serial than `snNumber`. */
export async function assertPairedWith(
  store: Pick<SignageRepositories, 'deviceAccounts'>,
  user: UserIdentity,
  snNumber: string,
): Promise<void> {
  if (user.role !== 'device') return;
  const binding = await store.deviceAccounts.findByUser(user.userId);
  if (binding !== undefined && binding.snNumber !== snNumber) {
    throw new MarqueeError(
      'FORBIDDEN',
      `This device account is paired with ${binding.snNumber}, not ${snNumber}`,
    );
  }
}
