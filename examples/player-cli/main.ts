/**
 * player-cli: a media player in a terminal that reports what it plays to Marquee's Now Playing
 * (seed 000) with the SDK's player client, and obeys the pause / resume / stop commands a
 * dashboard sends it.
 *
 *   npx tsx examples/player-cli/main.ts [url] --token <token> [--title <t>] [--duration <s>]
 *                                       [--id <session id>] [--seconds <s>]
 *
 * `url` defaults to $MARQUEE_URL, then http://localhost:8000. `--token` (or $MARQUEE_TOKEN) is a
 * user's access token (operator or admin: posting sessions needs one). It starts a session
 * (`--title`, 'Big Buck Bunny' by default, `--duration` seconds, 596 by default), lets the
 * position run with the clock (the client posts it every 5 s), prints one line per command it
 * applies, and ends the session after `--seconds` (default: at the end of the media) or when a
 * dashboard stops it, then exits 0. It exits 1 with a message when the server refuses.
 */
import { parseArgs } from 'node:util';
import { MarqueeError, createPlayerClient } from '@marquee/sdk';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    token: { type: 'string' },
    title: { type: 'string', default: 'Big Buck Bunny' },
    duration: { type: 'string', default: '596' },
    id: { type: 'string' },
    seconds: { type: 'string' },
  },
});

const baseUrl = positionals[0] ?? process.env.MARQUEE_URL ?? 'http://localhost:8000';
const token = values.token ?? process.env.MARQUEE_TOKEN;
const duration = Number(values.duration);
const seconds = values.seconds === undefined ? duration : Number(values.seconds);
if (!(duration > 0) || !(seconds > 0)) {
  process.stderr.write('--duration and --seconds must be positive numbers of seconds\n');
  process.exit(2);
}

const player = createPlayerClient({
  baseUrl,
  ...(token ? { token: () => token } : {}),
  timeoutMs: 10_000,
  network: false,
});

let finish: (code: number) => void = () => undefined;
const finished = new Promise<number>((resolve) => (finish = resolve));

// What a real player would do with each command; here the "playback" is the reported state.
player.onControl((command) => {
  process.stdout.write(`${command.action} (from the server)\n`);
  if (command.action === 'stop') setImmediate(() => finish(0));
});
player.on('error', (error) => process.stderr.write(`${error.code}: ${error.message}\n`));

try {
  player.connect();
  const id = await player.startSession({
    ...(values.id === undefined ? {} : { session_id: values.id }),
    title: values.title,
    media_type: 'movie',
    duration,
  });
  process.stdout.write(`playing ${values.title} as session ${id}\n`);
  const timer = setTimeout(() => {
    void player.endSession().then(() => {
      process.stdout.write('ended\n');
      finish(0);
    });
  }, seconds * 1000);
  process.exitCode = await finished;
  clearTimeout(timer);
} catch (error) {
  const why = error instanceof MarqueeError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`${why}\n`);
  process.exitCode = 1;
} finally {
  player.close();
}
