/**
 * Which servers are using a data directory. A listening server leaves a file in
 * `<dataDir>/run/` naming its process and URL, and removes it when it closes; `marquee user`
 * reads them to refuse changing the store behind a running server's back (that server would
 * keep the changed user's sockets open, since only it can close them).
 *
 * One file per server, not one shared file: two servers on one directory (a restart overlapping
 * the old process, or two in one test process) must not remove each other's mark. The process id
 * is in the file's name, so a file cut short by a crash still names its process; a file whose
 * process is gone (killed, power cut) is stale and ignored.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder inside the data directory that holds one file per listening server. */
export const SERVER_LOCK_DIR = 'run';

const FILE_NAME = /^server-(\d+)-[0-9a-f]+\.json$/;

/** A server that is using the data directory. */
export interface RunningServer {
  readonly pid: number;
  /** Its base URL, when its file could be read. */
  readonly url?: string;
  /** The file it left; delete it by hand only when that process is not a Marquee server. */
  readonly file: string;
}

/** Marks `dataDir` as in use by this process; the returned function removes the mark. */
export function claimDataDir(dataDir: string, url: string): () => void {
  const dir = join(dataDir, SERVER_LOCK_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `server-${process.pid}-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ pid: process.pid, url, startedAt: new Date().toISOString() })}\n`,
  );
  return () => rmSync(file, { force: true });
}

/** The servers whose process is alive and that left their mark in `dataDir`. */
export function runningServers(dataDir: string): RunningServer[] {
  const dir = join(dataDir, SERVER_LOCK_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const pid = Number(FILE_NAME.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid)) return [];
    const file = join(dir, name);
    const url = readUrl(file);
    return [{ pid, file, ...(url === undefined ? {} : { url }) }];
  });
}

/** Whether process `pid` exists (possibly another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (a server run as a service).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readUrl(file: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'url' in parsed) {
      return typeof parsed.url === 'string' ? parsed.url : undefined;
    }
  } catch {
    // Cut short or unreadable: the pid in the name is enough to refuse.
  }
  return undefined;
}
