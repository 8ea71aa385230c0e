// `npm start`: builds the packages when the build is missing or older than the sources, then runs
// `marquee start` on the embedded defaults (port 8000, ./data, SQLite). Extra arguments pass through:
// `npm start -- --port 9000`. `npm run marquee -- <command>` runs any other command the same way
// (`npm run -s marquee -- user add tv1 --role device`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outputs = [
  'packages/server/dist/cli.js',
  'packages/server/public/dashboard.js',
  'packages/server/console/index.html',
].map((p) => join(root, p));
const sources = [
  'packages/sdk/src',
  'packages/server/src',
  'packages/server/web',
  'packages/console/src',
].map((p) => join(root, p));

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (max, name) => Math.max(max, newest(join(path, name))),
    stat.mtimeMs,
  );
}

const built = outputs.every((p) => existsSync(p));
const stale =
  !built || Math.max(...sources.map(newest)) > Math.min(...outputs.map((p) => statSync(p).mtimeMs));
if (stale) {
  console.error(built ? 'Sources changed since the last build; rebuilding…' : 'Building Marquee…');
  // Build output goes to stderr, so a command's own output (`user list --json`) stays clean.
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: [0, 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Run the CLI in this process (the npm script `exec`s node), so SIGTERM/SIGINT from npm, a
// terminal or a process manager reach the server directly and it shuts down gracefully.
const command = process.env.npm_lifecycle_event === 'marquee' ? [] : ['start'];
process.argv = [process.argv[0], outputs[0], ...command, ...process.argv.slice(2)];
await import(pathToFileURL(outputs[0]).href);
