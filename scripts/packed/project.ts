/**
 * The packages as a user gets them: `npm pack` of @marquee/sdk and @marquee/simulators, installed
 * from the tarballs into a fresh project in a temporary directory. Shared by the install test
 * (scripts/test/packed-install.test.ts), the README test (scripts/test/sdk-readme.test.ts) and
 * the size report (scripts/size.ts), so all three look at what `npm publish` would ship.
 *
 * Installs use the npm cache first (`--prefer-offline`): the tarballs' own dependencies (zod,
 * ws, eventemitter3, isomorphic-ws) are the ones the repository's lockfile already fetched.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A binary of the repository's own toolchain (esbuild, tsc, vite, attw…). */
export const repoBin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const what = `${command} ${args.join(' ')} (in ${options.cwd})`;
          reject(new Error(`${what} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** The workspaces a user installs, by package name → folder. */
const PACKAGES = { sdk: 'packages/sdk', simulators: 'packages/simulators' } as const;
type PackageKey = keyof typeof PACKAGES;

function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    latest = Math.max(latest, statSync(join(dir, String(name))).mtimeMs);
  }
  return latest;
}

/** Whether a package's dist/ is missing or older than its sources or its build config. */
export function buildIsStale(key: PackageKey): boolean {
  const dir = join(repoRoot, PACKAGES[key]);
  const marker = join(dir, 'dist', 'index.cjs');
  if (!existsSync(marker)) return true;
  const inputs = [newest(join(dir, 'src')), statSync(join(dir, 'tsup.config.ts')).mtimeMs];
  return Math.max(...inputs) > statSync(marker).mtimeMs;
}

/**
 * Builds the two packages when their build is missing or stale (`npm test` builds first, so there
 * it does nothing); a stale dist/ would otherwise be what gets packed.
 */
export async function ensureBuilt(): Promise<void> {
  const stale = (Object.keys(PACKAGES) as PackageKey[]).filter(buildIsStale);
  // The simulators' declarations do not read the SDK's build, so order does not matter.
  for (const key of stale) {
    await run('npm', ['run', 'build', '--workspace', PACKAGES[key]], {
      cwd: repoRoot,
      timeoutMs: 300_000,
    });
  }
}

export interface Packed {
  /** Where the tarballs are. */
  readonly dir: string;
  readonly sdk: string;
  readonly simulators: string;
}

/** `npm pack`s both packages into `dir`; the tarballs' paths. */
export async function pack(dir: string): Promise<Packed> {
  await mkdir(dir, { recursive: true });
  const { stdout } = await run(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      dir,
      ...Object.values(PACKAGES).flatMap((p) => ['--workspace', p]),
    ],
    { cwd: repoRoot },
  );
  const files = (JSON.parse(stdout) as { name: string; filename: string }[]).map((entry) => ({
    name: entry.name,
    path: join(dir, entry.filename),
  }));
  const find = (name: string) => {
    const file = files.find((f) => f.name === name);
    if (!file) throw new Error(`npm pack made no tarball for ${name}`);
    return file.path;
  };
  return { dir, sdk: find('@marquee/sdk'), simulators: find('@marquee/simulators') };
}

/** The version of a package the repository's lockfile installed (for the projects' devDependencies). */
export async function repoVersion(name: string): Promise<string> {
  const manifest = await readFile(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

export interface ProjectOptions {
  /** `module` (ESM) or `commonjs`: the project's package.json `type`. */
  readonly type: 'module' | 'commonjs';
  /** Tarballs or `name@version` specs to install. */
  readonly install: readonly string[];
  /** Files to write before installing, by path relative to the project. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A fresh npm project in a new temporary directory, with `install` installed from npm. */
export async function createProject(name: string, options: ProjectOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `marquee-${name}-`));
  const manifest = { name: `marquee-${name}`, private: true, version: '1.0.0', type: options.type };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [path, contents] of Object.entries(options.files ?? {})) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), contents);
  }
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...options.install,
    ],
    { cwd: dir, timeoutMs: 180_000 },
  );
  return dir;
}

/** Removes a temporary project or tarball folder. */
export function remove(dir: string | undefined): Promise<void> {
  return dir === undefined ? Promise.resolve() : rm(dir, { recursive: true, force: true });
}
