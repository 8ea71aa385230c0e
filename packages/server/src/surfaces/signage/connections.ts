/**
 * Which devices are online: at most one open device socket per `sn_number`. A second connection
 * for the same device replaces the first, which is closed with REPLACED (4009): a TV that
 * reconnected after a network change must not leave a half-dead twin receiving its commands.
 */
import { protocol } from '@marquee/sdk';
import type { Connection } from '../../core/ws';

export interface DeviceSocket {
  readonly snNumber: string;
  readonly conn: Connection<unknown>;
  readonly connectedAt: string;
}

export class DeviceConnections {
  readonly #bySn = new Map<string, DeviceSocket>();

  /** Makes `socket` the device's connection, closing the one it replaces. */
  attach(socket: DeviceSocket): void {
    const previous = this.#bySn.get(socket.snNumber);
    this.#bySn.set(socket.snNumber, socket);
    if (previous !== undefined && previous.conn !== socket.conn) {
      previous.conn.close(protocol.CloseCodes.REPLACED, 'Replaced by a newer connection');
    }
  }

  /** Forgets `conn` if it is still the device's connection; true when it was. */
  detach(snNumber: string, conn: Connection<unknown>): boolean {
    if (this.#bySn.get(snNumber)?.conn !== conn) return false;
    this.#bySn.delete(snNumber);
    return true;
  }

  get(snNumber: string): DeviceSocket | undefined {
    const socket = this.#bySn.get(snNumber);
    return socket === undefined || socket.conn.isClosed ? undefined : socket;
  }

  isOnline(snNumber: string): boolean {
    return this.get(snNumber) !== undefined;
  }

  /** Sends one JSON message; false when the device is offline or its socket refused it. */
  send(snNumber: string, message: unknown): boolean {
    const socket = this.get(snNumber);
    return socket !== undefined && socket.conn.send(JSON.stringify(message));
  }

  online(): string[] {
    return [...this.#bySn.keys()].filter((sn) => this.isOnline(sn));
  }
}
