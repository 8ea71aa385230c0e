/**
 * signage-device-cli: a signage screen in a terminal. It signs in as a device (seed 002), or
 * pairs with a code an operator approves, registers, downloads and verifies its playlists' media
 * into a cache folder, and prints what it would show and every command it is sent (acking each).
 *
 *   npx tsx examples/signage-device-cli/main.ts [url]
 *       (--sn <serial> --username <u> --password <p> | --pair)
 *       [--cache-dir <dir>] [--once] [--timeout <ms>]
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. The account is a user with the
 * `device` role (or $MARQUEE_DEVICE_USERNAME / $MARQUEE_DEVICE_PASSWORD / $MARQUEE_DEVICE_SN);
 * with `--pair` it shows a pairing code instead and waits for an operator to approve it (the
 * operator gives the serial and name). With `--once` it exits 0 after
 * printing the first playlist whose media are all cached, or 1 when none is within `--timeout`
 * (60 s by default); without it, it runs until Ctrl+C.
 */
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDeviceClient, pairDevice, type DeviceClient } from '@marquee/sdk/device';
import { commandLine, playlistLines } from './format';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sn: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    pair: { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    once: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '60000' },
  },
});

const baseUrl = positionals[0] ?? process.env.MARQUEE_URL ?? 'http://localhost:8000';
const timeoutMs = Number(values.timeout);
if ((!values.pair && !(values.sn ?? process.env.MARQUEE_DEVICE_SN)) || !(timeoutMs > 0)) {
  process.stderr.write('Usage: main.ts [url] (--sn <serial> --username u --password p | --pair)\n');
  process.exit(2);
}

const stopping = new AbortController();
let client: DeviceClient | undefined;
const timer = values.once
  ? setTimeout(() => {
      process.stderr.write(`No playlist ready on ${baseUrl} within ${timeoutMs} ms\n`);
      stop(1);
    }, timeoutMs)
  : undefined;

function stop(code: number): void {
  clearTimeout(timer);
  stopping.abort();
  client?.close();
  process.exitCode = code;
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

/** The device account and serial: given, or assigned by the operator who approves the pairing. */
async function account(): Promise<{ username: string; password: string; snNumber: string }> {
  const username = values.username ?? process.env.MARQUEE_DEVICE_USERNAME;
  const password = values.password ?? process.env.MARQUEE_DEVICE_PASSWORD;
  const snNumber = values.sn ?? process.env.MARQUEE_DEVICE_SN ?? '';
  if (!values.pair && username && password) return { username, password, snNumber };
  if (!values.pair) throw new Error('give --username and --password (a device account), or --pair');
  const paired = await pairDevice({
    baseUrl,
    signal: stopping.signal,
    onCode: (code, expiresIn) =>
      process.stdout.write(`Pairing code ${code} (approve it within ${expiresIn} s)\n`),
  });
  process.stdout.write(`Paired as "${paired.name}" (${paired.snNumber})\n`);
  return { username: paired.username, password: paired.password, snNumber: paired.snNumber };
}

/** Bytes as the seed writes storage sizes (`32GB`), rounded down. */
function gigabytes(bytes: number): string {
  return `${Math.floor(bytes / 1024 ** 3)}GB`;
}

async function main(): Promise<void> {
  const { snNumber, ...credentials } = await account();
  const disk = statfsSync(tmpdir());
  const device = createDeviceClient({
    baseUrl,
    credentials,
    cacheDir: values['cache-dir'] ?? join(tmpdir(), `marquee-device-${snNumber}`),
    device: {
      sn_number: snNumber,
      brand: 'Marquee',
      model: 'signage-device-cli',
      manufacturer: 'Marquee',
      os_version: `${process.platform} ${process.version}`,
      screen_resolution: `${process.stdout.columns ?? 80}x${process.stdout.rows ?? 24}`,
      total_storage: gigabytes(disk.blocks * disk.bsize),
      free_storage: gigabytes(disk.bavail * disk.bsize),
      app_version: '0.1.0',
    },
  });
  client = device;
  device.on('state', ({ state }) => process.stderr.write(`[${state}] ${baseUrl} as ${snNumber}\n`));
  device.on('media', (result) => {
    const what = `${result.item.media_name} (${result.item.file_size} bytes)`;
    process.stdout.write(
      result.outcome === 'failed'
        ? `Media ${what}: failed, ${result.error?.message ?? 'no reason'}\n`
        : `Media ${what}: ${result.outcome}, MD5 verified\n`,
    );
  });
  device.on('current-playlist', (playlist, screen) => {
    process.stdout.write(`${playlistLines(playlist, screen).join('\n')}\n`);
    if (values.once && playlist.media_items.every((item) => device.isAvailable(item))) stop(0);
  });
  device.on('command', (action, outcome) => {
    process.stdout.write(`${commandLine(action, outcome.ok, outcome.error)}\n`);
  });
  device.on('error', (error) => process.stderr.write(`Error: ${error.message}\n`));
  await device.start();
}

main().catch((error: unknown) => {
  if (stopping.signal.aborted) return;
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  stop(1);
});
