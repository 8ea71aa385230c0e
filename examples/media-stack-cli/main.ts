/**
 * media-stack-cli: a terminal board of a Marquee media stack (seed 001), from the SDK's
 * media-stack client.
 *
 *   npx tsx examples/media-stack-cli/main.ts [url] [--once] [--token <token>] [--limit <n>]
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. `--token` (or $MARQUEE_TOKEN) is a
 * user's access token or a display token scoped `media-stack`. It prints the services (state,
 * latency, age of the last check), downloads, requests and the newest unread notifications
 * (`--limit`, 5 by default); with `--once` it then exits (1 with a message when the server
 * refuses or cannot be reached). Without it, it stays on `/ws/dashboard` and prints each service
 * change and new notification as it comes, until Ctrl+C.
 */
import { parseArgs } from 'node:util';
import { MarqueeError, createMediaStackClient } from '@marquee/sdk';
import {
  changeLine,
  notificationLine,
  notificationLines,
  serviceLines,
  statsLines,
} from './format';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    once: { type: 'boolean', default: false },
    token: { type: 'string' },
    limit: { type: 'string', default: '5' },
  },
});

const baseUrl = positionals[0] ?? process.env.MARQUEE_URL ?? 'http://localhost:8000';
const token = values.token ?? process.env.MARQUEE_TOKEN;

const client = createMediaStackClient({
  baseUrl,
  ...(token ? { token: () => token } : {}),
  timeoutMs: 10_000,
  network: false,
});

async function board(): Promise<void> {
  const [status, stats, notifications] = await Promise.all([
    client.status(),
    client.stats(),
    client.notifications({ unread: true, limit: Number(values.limit) }),
  ]);
  const lines = [
    ...serviceLines(status),
    ...statsLines(stats),
    ...notificationLines(notifications),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function stop(code: number): void {
  client.close();
  process.exitCode = code;
}

board().then(
  () => {
    if (values.once) return stop(0);
    client.on('service_status_change', (change) => process.stdout.write(`${changeLine(change)}\n`));
    client.on('new_notification', (n) => process.stdout.write(`${notificationLine(n)}\n`));
    client.on('state', ({ state }) => process.stderr.write(`[${state}] ${baseUrl}\n`));
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    client.connect();
  },
  (error: unknown) => {
    const text = error instanceof MarqueeError ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`${baseUrl}: ${text}\n`);
    stop(1);
  },
);
