/**
 * Imported first by every page, before the SDK builds its schemas: zod compiles object parsers
 * with `new Function` and probes for that when a schema is built, and the pages' CSP
 * (`script-src 'self'`, no 'unsafe-eval') refuses it; the refused probe is reported as a CSP
 * violation even though zod then falls back. `jitless` skips the probe and the compiler, so the
 * pages run clean under the policy (parsing the few messages a page sees is no slower to notice).
 */
import { config } from 'zod/v4/core';

config({ jitless: true });
