/**
 * signage-admin-cli: a signage fleet from a terminal, with the SDK's signage admin client.
 *
 *   npx tsx examples/signage-admin-cli/main.ts [url] [--username <name>] [--password <pw>] <command>
 *
 *   devices                      each screen: serial, name, online or last seen, app version
 *   playlists                    each playlist: id, name, size, items and length
 *   send <sn_number> <action>    sends a parameterless action (play, pause, next, previous,
 *                                reload_playlist, hide_text_overlay, take_screenshot); with --wait,
 *                                waits until the device acks it (or --timeout ms pass)
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. The account (an operator or admin)
 * is `--username`/`--password`, or $MARQUEE_USERNAME/$MARQUEE_PASSWORD. Exit codes: 0 done, 1 the
 * server refused or the wait ran out, 2 a wrong command line.
 */
import { parseArgs } from 'node:util';
import {
  MarqueeError,
  createSignageAdminClient,
  protocol,
  type SignageAdminClient,
} from '@marquee/sdk';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    username: { type: 'string' },
    password: { type: 'string' },
    wait: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '15000' },
  },
});

// The URL is optional: it is the first positional when it looks like one.
const args = [...positionals];
const baseUrl = /^https?:\/\//.test(args[0] ?? '')
  ? (args.shift() as string)
  : (process.env.MARQUEE_URL ?? 'http://localhost:8000');
const username = values.username ?? process.env.MARQUEE_USERNAME;
const password = values.password ?? process.env.MARQUEE_PASSWORD;

function usage(reason: string): never {
  console.error(
    `${reason}\nusage: main.ts [url] [--username U] [--password P] devices|playlists|send <sn_number> <action> [--wait]`,
  );
  process.exit(2);
}

async function devices(client: SignageAdminClient): Promise<void> {
  const list = await client.listDevices();
  console.log(`${list.count} device${list.count === 1 ? '' : 's'}`);
  for (const d of list.results) {
    const seen = d.online ? 'online' : `offline, last seen ${d.last_seen ?? 'never'}`;
    console.log(`  ${d.sn_number} "${d.name ?? d.model}" ${seen}, app ${d.app_version}`);
  }
}

async function playlists(client: SignageAdminClient): Promise<void> {
  const list = await client.listPlaylists();
  console.log(`${list.count} playlist${list.count === 1 ? '' : 's'}`);
  for (const p of list.results) {
    const items = p.media_items.length;
    console.log(
      `  ${p.id} "${p.name}" ${p.width}×${p.height}, ${items} item${items === 1 ? '' : 's'}`,
    );
  }
}

async function send(client: SignageAdminClient, sn: string, action: string): Promise<number> {
  // Checked here with the protocol's own schema, so a typo is a usage error, not a server's 400.
  const command = protocol.signage.ServerAction.safeParse({ action });
  if (!command.success) usage(`${action} is not an action that needs no parameters`);
  const accepted = await client.sendCommand(sn, command.data);
  const id = accepted.commands[0]?.command_id ?? '';
  console.log(`Command ${action} to ${sn}: ${id}`);
  if (!values.wait) return 0;
  const deadline = Date.now() + Number(values.timeout);
  for (;;) {
    const record = await client.getCommand(id);
    if (record.state === 'acked' || record.state === 'failed' || record.state === 'expired') {
      console.log(`${record.state}${record.error ? `: ${record.error}` : ''}`);
      return record.state === 'acked' ? 0 : 1;
    }
    if (Date.now() > deadline) {
      console.log(`still ${record.state} after ${values.timeout} ms`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<number> {
  const [command, ...rest] = args;
  if (!username || !password)
    usage('--username and --password (or MARQUEE_USERNAME/PASSWORD) are needed');
  const client = createSignageAdminClient({ baseUrl, credentials: { username, password } });
  switch (command ?? 'devices') {
    case 'devices':
      await devices(client);
      return 0;
    case 'playlists':
      await playlists(client);
      return 0;
    case 'send': {
      const [sn, action] = rest;
      if (!sn || !action) usage('send needs <sn_number> <action>');
      return send(client, sn, action);
    }
    default:
      usage(`unknown command ${command}`);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(
      error instanceof MarqueeError ? `${error.code}: ${error.message}` : String(error),
    );
    process.exitCode = 1;
  },
);
