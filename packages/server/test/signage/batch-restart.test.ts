/**
 * State changes are written behind, one transaction per batch: a SIGKILL while a batch of acks
 * waits for its commit must lose nothing a device was promised and apply nothing twice. The real
 * CLI runs from source as a child process with a wide batch window
 * (MARQUEE_SIGNAGE_BATCH_DELAY_MS=1000), so the kill lands while the devices' acks are still
 * uncommitted (the test checks that it did). After the restart on the same data directory:
 *
 * - every command acknowledged and committed before the kill stays acked and is not sent again;
 * - every command whose ack died with the batch is still `sent`, so it is written again with the
 *   same `command_id`; the devices (acks=1, de-duplicating by id as the SDK's device client does)
 *   drop it and acknowledge again, and it ends `acked`;
 * - every command accepted (202) is applied exactly once, by the device it was sent to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/server';
import { ADMIN_API, deviceBody, openDevice, sendCommand, type RawDevice } from './helpers';
import { adminToken, killServerChild, startServerChild, type ServerChild } from './server-child';

const dataDir = mkdtempSync(join(tmpdir(), 'marquee-batch-restart-'));
const servers: ServerChild[] = [];
const sockets: RawDevice[] = [];
const ENV = { MARQUEE_SIGNAGE_BATCH_DELAY_MS: '1000' };
const SERIALS = ['SN-K1', 'SN-K2', 'SN-K3', 'SN-K4'];

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  for (const server of servers) await killServerChild(server);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerChild> {
  const server = await startServerChild(dataDir, ENV);
  servers.push(server);
  return server;
}

/**
 * A device that acknowledges (acks=1): applies each `command_id` once, acknowledges every
 * receipt (a re-delivery too, as the SDK's device client does) and counts receipts per id.
 * Its memory of applied ids outlives its sockets, as a TV's does across a server restart.
 */
class Device {
  /** The overlay texts applied, in order: each issue has its own text. */
  readonly applied: string[] = [];
  readonly receipts = new Map<string, number>();

  constructor(readonly sn: string) {}

  async connect(server: ServerChild, token: string): Promise<void> {
    const socket = await openDevice(server.wsUrl, token, this.sn, { acks: true });
    sockets.push(socket);
    socket.ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {
        command_id?: string;
        text_overlay?: { text: string };
      };
      const id = message.command_id;
      if (id === undefined) return;
      const seen = this.receipts.get(id) ?? 0;
      this.receipts.set(id, seen + 1);
      if (seen === 0) this.applied.push(message.text_overlay?.text ?? '');
      socket.send({ type: 'ack', command_id: id, ok: true });
    });
  }
}

type State = { command_id: string; state: string };

async function statesOf(server: ServerChild, token: string, sn: string): Promise<State[]> {
  const res = await call(`${server.url}${ADMIN_API}/devices/${sn}/commands/`, { token });
  expect(res.status).toBe(200);
  return (res.body as { results: State[] }).results;
}

async function allStates(server: ServerChild, token: string): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const sn of SERIALS) {
    for (const s of await statesOf(server, token, sn)) states.set(s.command_id, s.state);
  }
  return states;
}

describe('a SIGKILL while a batch of acks waits for its commit', () => {
  it('loses no acknowledged command and applies none twice', async () => {
    const first = await start();
    const admin = await adminToken(first.url);
    for (const sn of SERIALS) {
      const res = await call(`${first.url}${ADMIN_API}/device/register/`, {
        token: admin,
        body: deviceBody(sn),
      });
      expect(res.status).toBe(201);
    }
    const devices = SERIALS.map((sn) => new Device(sn));
    for (const device of devices) await device.connect(first, admin);
    const issued = new Map<string, { sn: string; text: string }>(); // by command_id
    const issue = async (server: ServerChild, sn: string, text: string) => {
      const id = await sendCommand(server, admin, sn, {
        action: 'show_text_overlay',
        text_overlay: { text, position: 'top', animation: 'static', speed: 1 },
      });
      issued.set(id, { sn, text });
      return id;
    };

    // 1. Acknowledged and committed before the kill.
    const early: string[] = [];
    for (const [i, sn] of SERIALS.entries()) early.push(await issue(first, sn, `early-${i}`));
    await vi.waitFor(
      async () => {
        const states = await allStates(first, admin);
        expect(early.map((id) => states.get(id))).toEqual(early.map(() => 'acked'));
      },
      { timeout: 20_000, interval: 100 },
    );

    // 2. Delivered, acknowledged by the devices, then the kill inside the ack batch's window.
    const late = await Promise.all(
      SERIALS.flatMap((sn, i) => [
        issue(first, sn, `late-${i}-a`),
        issue(first, sn, `late-${i}-b`),
      ]),
    );
    await vi.waitFor(
      () => {
        for (const id of late) {
          const device = devices.find((d) => d.sn === issued.get(id)?.sn);
          expect(device?.receipts.get(id)).toBe(1);
        }
      },
      { timeout: 20_000, interval: 5 },
    );
    const atKill = await allStates(first, admin);
    await killServerChild(first);
    const uncommitted = late.filter((id) => atKill.get(id) === 'sent');
    // The premise: the kill hit acks the devices sent but the server had not committed yet.
    expect(uncommitted.length).toBeGreaterThan(0);
    expect(early.map((id) => atKill.get(id))).toEqual(early.map(() => 'acked'));

    // 3. Restart on the same data; the devices come back; more commands flow.
    const second = await start();
    for (const device of devices) await device.connect(second, admin);
    const after: string[] = [];
    for (const [i, sn] of SERIALS.entries()) after.push(await issue(second, sn, `after-${i}`));

    await vi.waitFor(
      async () => {
        const states = await allStates(second, admin);
        expect([...issued.keys()].filter((id) => states.get(id) !== 'acked')).toEqual([]);
      },
      { timeout: 30_000, interval: 200 },
    );
    // Every command accepted was applied exactly once, by its own device.
    for (const device of devices) {
      const mine = [...issued].filter(([, c]) => c.sn === device.sn).map(([, c]) => c.text);
      expect(device.applied.toSorted()).toEqual(mine.toSorted());
    }
    // What was committed as acked was not sent again; what was not is re-delivered once.
    const receipts = new Map(devices.flatMap((d) => [...d.receipts]));
    for (const id of [...early, ...after]) expect(receipts.get(id)).toBe(1);
    for (const id of late) expect(receipts.get(id)).toBe(uncommitted.includes(id) ? 2 : 1);
    await killServerChild(second);
  }, 180_000);
});
