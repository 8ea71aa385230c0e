/**
 * Which devices are online: at most one open device socket per `sn_number`. A second connection
 * for the same device replaces the first, which is closed with REPLACED (4009): a TV that
 * reconnected after a network change must not leave a half-dead twin receiving its commands.
 * A device an admin removes has its socket closed with DEVICE_REMOVED (4004).
 *
 * For a device that acknowledges commands (`acks=1`), each socket also remembers which commands
 * were written to it and are not yet acknowledged, so a re-delivery after a reconnect skips what
 * this very socket already carried.
 */
import { protocol } from '@marquee/sdk';
import type { Connection } from '../../core/ws';
import type { FleetEvents } from './fleet-events';

export interface DeviceSocket {
  readonly snNumber: string;
  readonly conn: Connection<unknown>;
  readonly connectedAt: string;
  /** The device acknowledges commands and drops re-deliveries (`acks=1` in its socket query). */
  readonly acks: boolean;
}

export class DeviceConnections {
  readonly #bySn = new Map<string, DeviceSocket>();
  /** Unacknowledged command ids written to each socket of a device that acks. */
  readonly #written = new WeakMap<DeviceSocket, Set<string>>();
  readonly #events: FleetEvents | undefined;

  /** `events` hears each device come online and go offline. */
  constructor(events?: FleetEvents) {
    this.#events = events;
  }

  /** Makes `socket` the device's connection, closing the one it replaces. */
  attach(socket: DeviceSocket): void {
    const previous = this.#bySn.get(socket.snNumber);
    this.#bySn.set(socket.snNumber, socket);
    if (previous !== undefined && previous.conn !== socket.conn) {
      previous.conn.close(protocol.CloseCodes.REPLACED, 'Replaced by a newer connection');
    }
    if (previous === undefined) {
      this.#events?.device('online', socket.snNumber, {
        online: true,
        last_seen: socket.connectedAt,
      });
    }
  }

  /** Forgets `conn` if it is still the device's connection; true when it was. */
  detach(snNumber: string, conn: Connection<unknown>): boolean {
    if (this.#bySn.get(snNumber)?.conn !== conn) return false;
    this.#bySn.delete(snNumber);
    this.#events?.device('offline', snNumber, { online: false });
    return true;
  }

  /** Closes the device's socket with `code` and forgets it at once; false when none was open. */
  disconnect(snNumber: string, code: number, reason: string): boolean {
    const socket = this.#bySn.get(snNumber);
    if (socket === undefined) return false;
    this.#bySn.delete(snNumber);
    socket.conn.close(code, reason);
    return true;
  }

  get(snNumber: string): DeviceSocket | undefined {
    const socket = this.#bySn.get(snNumber);
    return socket === undefined || socket.conn.isClosed ? undefined : socket;
  }

  isOnline(snNumber: string): boolean {
    return this.get(snNumber) !== undefined;
  }

  /** Writes a command to the device's socket and remembers it there until it is acknowledged. */
  sendCommand(snNumber: string, command: { readonly command_id?: string | undefined }): boolean {
    const socket = this.get(snNumber);
    if (socket === undefined || !socket.conn.send(JSON.stringify(command))) return false;
    if (socket.acks && command.command_id !== undefined) {
      let written = this.#written.get(socket);
      if (written === undefined) this.#written.set(socket, (written = new Set()));
      written.add(command.command_id);
    }
    return true;
  }

  /** Whether the device's current socket already carried the command. */
  carried(snNumber: string, commandId: string): boolean {
    const socket = this.get(snNumber);
    return socket !== undefined && (this.#written.get(socket)?.has(commandId) ?? false);
  }

  /** The command was acknowledged: no socket needs to remember it. */
  settled(snNumber: string, commandId: string): void {
    const socket = this.#bySn.get(snNumber);
    if (socket !== undefined) this.#written.get(socket)?.delete(commandId);
  }

  online(): string[] {
    return [...this.#bySn.keys()].filter((sn) => this.isOnline(sn));
  }
}
