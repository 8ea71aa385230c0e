/**
 * Property-based fuzzing of every served REST route, generated from the SDK's route tables and
 * their zod schemas (docs/fuzzing.md). For each route, requests with generated, mutated and
 * hostile inputs in odd encodings, by every kind of caller, on a real server; for each answer:
 *
 * - no 5xx (but the upstream statuses 502/503/504 a route documents), no crash, no unhandled
 *   rejection or uncaught exception;
 * - every 4xx in the surface's documented error shape, with a status the route documents (or,
 *   for what never reaches the route, a malformed body's 400/413/415, a mangled path's 400/404,
 *   an over-long request line's 431);
 * - a refused request stores nothing: every table of the SQLite file and the data directory's
 *   files are the same after it as before.
 *
 * CI runs a few cases per route from a fixed seed; `npm run fuzz` runs many more and prints the
 * figures.
 */
import { protocol } from '@marquee/sdk';
import type { RouteDef, SurfaceDef } from '@marquee/sdk/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  TEST_TIMEOUT_MS,
  errorShapeProblem,
  isLongRun,
  isUp,
  rawRequest,
  snapshotChanges,
  startFuzzServer,
  watchProcess,
  type FuzzServer,
} from './harness';
import { SURFACES } from '../../src/app';
import { requestsFor, unknownPathRequests, type FuzzRequest } from './requests';

/** Cases per route: CI's bounded run, or `MARQUEE_FUZZ_RUNS`. */
const RUNS = isLongRun ? FUZZ_RUNS : 12;

/** Encodings that are not odd: what a correct client sends (the values may still be wrong). */
const WELL_FORMED = new Set(['valid', 'json', 'form', 'multipart']);
const UPSTREAM_STATUSES = new Set([502, 503, 504]);

/**
 * The statuses `req` may get: those its route documents, plus the refusals of what a route
 * never sees: a malformed body (400, 413, 415), a path that no longer matches (400, 404), an
 * over-long path parameter (414) or request line (431).
 */
function allowed(route: RouteDef, req: FuzzRequest, status: number): boolean {
  if (route.responses[status] !== undefined) return true;
  if (!WELL_FORMED.has(req.encoding) && [400, 413, 415].includes(status)) return true;
  if (!req.routable && [400, 404].includes(status)) return true;
  // Fastify's router refuses a path parameter over 8,192 characters (414), Node a request line
  // over 16 KB (431).
  if (status === 414 && req.path.length > 8192) return true;
  return status === 431 && req.path.length > 16_000;
}

/** How often each status was answered (printed with the figures). */
const statuses = new Map<number, number>();

let f: FuzzServer;
let watcher: ReturnType<typeof watchProcess>;
beforeAll(async () => {
  watcher = watchProcess();
  f = await startFuzzServer();
}, 60_000);
afterAll(async () => {
  watcher.stop();
  await f.close();
});

const served = protocol.surfaces.map((surface) => protocol.servedPart(surface));
const routes = served.flatMap((surface) => surface.routes.map((route) => ({ surface, route })));
/** `MARQUEE_FUZZ_ONLY=playlists`: fuzz only the routes whose `METHOD path` contains it. */
const only = process.env.MARQUEE_FUZZ_ONLY;
const fuzzed = routes.filter(
  ({ route }) => only === undefined || `${route.method} ${route.path}`.includes(only),
);

/** One line naming a request (its path cut short). */
function describe(req: FuzzRequest): string {
  const path = req.path.length > 160 ? `${req.path.slice(0, 160)}…(${req.path.length})` : req.path;
  const body = req.body === undefined ? 'no body' : `${req.body.length} bytes`;
  return `${req.caller} ${req.method} ${path} [${req.encoding}, ${body}]`;
}

/** Why the answer to `req` breaks a property (undefined when it holds). */
async function check(
  surface: SurfaceDef,
  route: RouteDef,
  req: FuzzRequest,
): Promise<string | undefined> {
  const before = f.snapshot();
  const res = await rawRequest(f.port, req);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const documented = route.responses[res.status] !== undefined;
  if (res.status >= 500 && !(UPSTREAM_STATUSES.has(res.status) && documented)) {
    return `answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
  }
  // The Ollama proxy passes Ollama's own answers through (seed 004): only the refusals the
  // server makes itself (401, 413) are in the surface's shape.
  const passedThrough = route.auth === 'proxy' && !documented;
  if (res.status >= 400 && !passedThrough) {
    const problem = errorShapeProblem(surface.errorShape, res);
    if (problem !== undefined) return `${res.status} ${problem}`;
    if (!allowed(route, req, res.status)) {
      return `answered ${res.status}, which the route table does not document: ${res.body.toString('utf8').slice(0, 200)}`;
    }
  }
  if (res.status >= 400) {
    const changes = snapshotChanges(before, f.snapshot());
    if (changes.length > 0) return `refused with ${res.status} but changed ${changes.join(', ')}`;
  }
  return watcher.take();
}

suite('fuzzing every served route', () => {
  const figures = { cases: 0, routes: new Set<string>(), failures: [] as string[] };

  it(
    'answers every generated request without 5xx, in its error shape, storing nothing when refused',
    async () => {
      const started = Date.now();
      for (const entry of fuzzed) {
        const { surface, route } = entry;
        // Its index among all routes, so MARQUEE_FUZZ_ONLY keeps each route's seed.
        const index = routes.indexOf(entry);
        const name = `${route.method} ${route.path}`;
        const isUserRoute = route.path.startsWith('/api/v1/admin/users/{id}');
        const avoid = (path: string) =>
          isUserRoute &&
          f.fixtureUserIds.some((id) => path.startsWith(`/api/v1/admin/users/${id}/`));
        const requests = requestsFor(route, (caller) => f.token(caller, surface.name), avoid);
        let problem: string | undefined;
        const details = await fc.check(
          fc.asyncProperty(requests, async (req) => {
            figures.cases += 1;
            problem = await check(surface, route, req);
            if (problem !== undefined) problem = `${describe(req)}: ${problem}`;
            return problem === undefined;
          }),
          // A seed of its own per route (fixed): the same seed would replay the same choices.
          { seed: FUZZ_SEED + index, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) {
          const reason = problem ?? String(details.errorInstance);
          figures.failures.push(
            `${name}: ${reason} (seed ${details.seed}, path ${details.counterexamplePath})`,
          );
        } else {
          figures.routes.add(name);
        }
        if (!(await isUp(f.port))) {
          figures.failures.push(`${name}: the server stopped answering`);
          break;
        }
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `[fuzz] routes: ${figures.cases} cases, ${figures.routes.size}/${routes.length} served routes passed ` +
          `(${fuzzed.length} fuzzed), ` +
          `${figures.failures.length} failing, seed ${FUZZ_SEED}, ${seconds} s; answers ` +
          [...statuses]
            .sort(([a], [b]) => a - b)
            .map(([status, count]) => `${status}×${count}`)
            .join(' '),
      );
      expect(figures.failures).toEqual([]);
      expect(figures.routes.size).toBe(fuzzed.length);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses paths no route serves, under every surface prefix, in that surface shape',
    async () => {
      // Each module's prefixes, and paths under none (the core shape); the longest prefix wins.
      const prefixes = [
        ...SURFACES.flatMap((module) =>
          module.prefixes.map((prefix) => ({ prefix, shape: module.errorShape })),
        ),
        ...['/', '/api/', '/api/v1/admin/'].map((prefix) => ({
          prefix,
          shape: protocol.core.coreSurface.errorShape,
        })),
      ];
      const shapeOf = (path: string) =>
        prefixes
          .filter(({ prefix }) => path.startsWith(prefix))
          .sort((a, b) => b.prefix.length - a.prefix.length)[0]?.shape;
      // Wildcard routes (`/media/{path}`, `/api/ollama/{path}`) serve everything below them.
      const wildcards = routes
        .map(({ route }) => route.path)
        .filter((path) => path.endsWith('{path}'))
        .map((path) => path.slice(0, -'{path}'.length));
      const failures: string[] = [];
      let cases = 0;
      for (const [index, { prefix }] of prefixes.entries()) {
        if (wildcards.some((wildcard) => prefix.startsWith(wildcard))) continue;
        let problem: string | undefined;
        const details = await fc.check(
          fc.asyncProperty(
            unknownPathRequests(prefix, (caller) => f.token(caller, 'core')),
            async (req) => {
              cases += 1;
              const before = f.snapshot();
              const res = await rawRequest(f.port, req);
              const shape = shapeOf(req.path) ?? protocol.core.coreSurface.errorShape;
              if (res.status < 400 || res.status >= 500) problem = `answered ${res.status}`;
              else problem = errorShapeProblem(shape, res);
              const changes = snapshotChanges(before, f.snapshot());
              if (problem === undefined && changes.length > 0) {
                problem = `changed ${changes.join(', ')}`;
              }
              problem ??= watcher.take();
              if (problem !== undefined) problem = `${describe(req)}: ${res.status} ${problem}`;
              return problem === undefined;
            },
          ),
          { seed: FUZZ_SEED + 1000 + index, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) failures.push(`${prefix}: ${problem ?? String(details.errorInstance)}`);
      }
      console.log(
        `[fuzz] unknown paths: ${cases} cases under ${prefixes.length} prefixes, ${failures.length} failing`,
      );
      expect(failures).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
