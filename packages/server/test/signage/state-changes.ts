/**
 * Fixtures for the batched command state changes (`applyStateChanges`, the write batcher): queued
 * commands for a device, and the `sent` / `settle` (acknowledged) changes the device socket makes.
 */
import type { SignageRepositories, SignageStateChange } from '../../src/surfaces/signage/store';

export const STATE_AT = '2025-01-15T10:00:00.000Z';
export const STATE_LATER = '2025-01-15T11:00:00.000Z';

/** Queues `play` commands `ids` for `sn`, in that order, expiring far in the future. */
export async function queueCommands(
  signage: SignageRepositories,
  sn: string,
  ...ids: string[]
): Promise<void> {
  await signage.commands.createMany(
    ids.map((id) => ({
      id,
      snNumber: sn,
      command: { action: 'play' as const, command_id: id },
      createdAt: STATE_AT,
      expiresAt: '2099-01-01T00:00:00.000Z',
    })),
  );
}

/** Command `id` written to its device's socket. */
export const sentChange = (id: string, at = STATE_AT): SignageStateChange => ({
  kind: 'sent',
  id,
  at,
});

/** Command `id` acknowledged ok by device `sn`. */
export const ackChange = (id: string, sn = 'SN-1'): SignageStateChange => ({
  kind: 'settle',
  id,
  snNumber: sn,
  outcome: { ok: true, error: null },
  at: STATE_LATER,
});
