/**
 * now-playing-cli: prints what is playing on a Marquee server, from its Now Playing push channel.
 *
 *   npx tsx examples/now-playing-cli/main.ts [url] [--once] [--token <token>] [--timeout <ms>]
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. `--token` (or $MARQUEE_TOKEN) is a
 * display token, needed only when the server's channel requires one. Without `--once` it prints
 * the sessions whenever they change, until Ctrl+C; with `--once` it prints the first snapshot and
 * exits, or exits with 1 when none arrives within `--timeout` (10 s by default).
 */
import { parseArgs } from 'node:util';
import { createPanelClient } from '@marquee/sdk';
import { snapshotLines } from './format';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    once: { type: 'boolean', default: false },
    token: { type: 'string' },
    timeout: { type: 'string', default: '10000' },
  },
});

const baseUrl = positionals[0] ?? process.env.MARQUEE_URL ?? 'http://localhost:8000';
const token = values.token ?? process.env.MARQUEE_TOKEN;
const timeoutMs = Number(values.timeout);

const client = createPanelClient({
  baseUrl,
  ...(token ? { token: () => token } : {}),
  network: false,
});

let previous = '';
client.on('snapshot', (snapshot) => {
  const text = snapshotLines(snapshot).join('\n');
  // The server pushes every 2 s; print only what changed (positions move while playing).
  if (values.once || text !== previous) process.stdout.write(`${text}\n`);
  previous = text;
  if (values.once) stop(0);
});
client.on('state', ({ state }) => {
  if (!values.once) process.stderr.write(`[${state}] ${baseUrl}\n`);
});

const timer = values.once
  ? setTimeout(() => {
      process.stderr.write(`No snapshot from ${baseUrl} within ${timeoutMs} ms\n`);
      stop(1);
    }, timeoutMs)
  : undefined;

function stop(code: number): void {
  clearTimeout(timer);
  client.close();
  process.exitCode = code;
}

process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));
client.connect();
