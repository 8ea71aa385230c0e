/**
 * A server started on a data directory it cannot write (issue 18 §1's leftover): it refuses to
 * start with a message naming the directory, the reason and the way out, instead of SQLite's
 * `unable to open database file` and a stack trace. The directory holds a real Marquee database
 * and is made read-only for real: a tmpfs remounted read-only where this process may mount (root,
 * as in CI), otherwise a folder without write permission (which root would ignore).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirError } from '../../src/core/data-dir-check';
import { cleanEnv, repoRoot } from '../helpers/cli';
import { startTestServer } from '../helpers/server';

const root = mkdtempSync(join(tmpdir(), 'marquee-ro-'));
const isRoot = process.getuid?.() === 0;
let mounted = false;
if (isRoot) {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', root], { stdio: 'pipe' });
    mounted = true;
  } catch {
    // no mount here: the permission path below
  }
}
const dataDir = join(root, 'data');

afterAll(() => {
  if (mounted) execFileSync('umount', [root]);
  else chmodSync(dataDir, 0o755);
  rmSync(root, { recursive: true, force: true });
});

function makeReadOnly(): void {
  if (mounted) execFileSync('mount', ['-o', 'remount,ro', root]);
  else chmodSync(dataDir, 0o555);
}

describe.skipIf(isRoot && !mounted)(
  `a read-only data directory at start (${mounted ? 'tmpfs remounted ro' : 'chmod 555'})`,
  () => {
    it('is refused with a message that names it and says what to do', async () => {
      const first = await startTestServer({}, { dataDir });
      await first.login();
      await first.close();
      makeReadOnly();

      const refused = await startTestServer({}, { dataDir }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DataDirError);
      expect((refused as Error).message).toContain(`the data directory ${dataDir} is not writable`);
      expect((refused as Error).message).toMatch(
        mounted ? /read-only filesystem/ : /may not write there \(EACCES\)/,
      );

      // The CLI prints that one message, no stack trace, and exits 1.
      const child = spawn(
        process.execPath,
        ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts', 'start'],
        {
          cwd: repoRoot,
          env: cleanEnv({
            PORT: '0',
            HOST: '127.0.0.1',
            MARQUEE_DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
          }),
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/^Marquee cannot start: the data directory \S+ is not writable/);
      expect(stderr).not.toMatch(/\n\s+at /);
    }, 60_000);
  },
);
