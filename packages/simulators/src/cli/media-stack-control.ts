/**
 * Live control of a running `marquee-sim media-stack`: one command a line on stdin switches
 * upstreams between modes while Marquee keeps polling them, so a person (or a script) can watch
 * a service go down, turn slow or refuse its key and come back, without a restart:
 *
 *   plex down              cut every connection to the fake Plex
 *   sonarr,radarr slow     answer after 3 s (`slow 800`: after 800 ms)
 *   overseerr unauthorized refuse the credential (401)
 *   qbittorrent malformed  answer HTML where JSON belongs
 *   all ok                 every upstream answers normally again
 *   status                 each upstream's mode and address
 *   help                   this list
 */
import type { FakeMode, FakeUpstream } from '../media-stack';

const MODES: readonly FakeMode[] = ['ok', 'down', 'slow', 'unauthorized', 'malformed'];

export const CONTROL_HELP = `Commands (one a line on stdin):
  <upstreams> <mode> [ms]   switch upstreams (comma-separated, or "all") to a mode:
                            ${MODES.join(', ')}; "slow" takes an optional delay in ms
  status                    each upstream's mode and address
  help                      this list
`;

/** What a command line does: the text to print on stdout, or the error for stderr. */
export type ControlResult = { readonly out: string } | { readonly error: string };

/** Applies one command line to the fakes (by name, in the order they were started). */
export function applyControlLine(
  line: string,
  fakes: Readonly<Record<string, FakeUpstream>>,
): ControlResult {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const names = Object.keys(fakes);
  if (words.length === 0) return { out: '' };
  const [first = '', mode, delay, ...rest] = words;
  if (first === 'help' && words.length === 1) return { out: CONTROL_HELP };
  if (first === 'status' && words.length === 1) {
    return {
      out: names
        .map((name) => {
          const fake = fakes[name] as FakeUpstream;
          const slow = fake.mode === 'slow' ? ` ${fake.slowMs} ms` : '';
          return `${name.padEnd(12)} ${fake.mode}${slow} ${fake.url}\n`;
        })
        .join(''),
    };
  }
  const targets = first === 'all' ? names : first.split(',');
  const unknown = targets.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    return { error: `unknown upstream "${unknown.join(', ')}" (known: ${names.join(', ')}, all)` };
  }
  if (mode === undefined || !(MODES as readonly string[]).includes(mode)) {
    return { error: `"${line.trim()}": give a mode, one of ${MODES.join(', ')}` };
  }
  let slowMs: number | undefined;
  if (delay !== undefined) {
    slowMs = Number(delay);
    if (mode !== 'slow' || !Number.isInteger(slowMs) || slowMs < 0 || slowMs > 600_000) {
      return { error: `"${line.trim()}": only "slow" takes a delay, 0 to 600000 ms` };
    }
  }
  if (rest.length > 0) return { error: `"${line.trim()}": too many words (see help)` };
  for (const name of targets) {
    const fake = fakes[name] as FakeUpstream;
    fake.mode = mode as FakeMode;
    if (slowMs !== undefined) fake.slowMs = slowMs;
  }
  const slow = mode === 'slow' ? ` (${(fakes[targets[0] ?? ''] as FakeUpstream).slowMs} ms)` : '';
  return { out: `${targets.join(', ')}: ${mode}${slow}\n` };
}
