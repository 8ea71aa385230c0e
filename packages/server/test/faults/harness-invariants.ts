/**
 * The kill harness's invariants after a restart (its start-up sweep done): files and rows agree,
 * every acknowledged write is there and whole, commands acknowledged in the store stay so, the
 * monitoring history's tiers are consistent (kill-harness-files.ts `historyFindings`) and its
 * query still answers. The checks on the files as the kill left them (integrity, foreign keys)
 * are in harness-process.ts `checkDatabase`.
 */
import { HISTORY_QUERY, API } from './harness-drivers';
import { request, type Server } from './harness-process';
import type { HarnessState } from './harness-state';
import { historyFindings, storedState } from './kill-harness-files';

export async function checkServed(
  h: HarnessState,
  server: Server,
  token: string,
  ackedBefore: ReadonlySet<string>,
): Promise<void> {
  const m = h.model;
  const health = await request(server, '/healthz');
  h.check(health.status === 200, `healthz answered ${health.status}`);

  const stored = storedState(h.options.dataDir);
  for (const finding of stored.fileFindings) h.finding(finding);
  for (const [id, sum] of m.media) {
    const row = stored.media.get(id);
    h.check(row === sum, `upload ${id} (answered 201) is ${row ? 'changed' : 'lost'}`);
  }
  for (const id of m.accepted) {
    h.check(stored.commands.has(id), `command ${id} (answered 202) is lost`);
  }
  for (const id of m.stopped) {
    h.check(stored.history.has(id), `session ${id} (stop answered 200) has no history row`);
  }
  // What the store had as acked must stay acked (never re-queued).
  for (const id of ackedBefore) {
    const state = stored.commands.get(id);
    h.check(state === 'acked', `command ${id} was acked, now ${state}`);
  }

  const playlist = await request(server, `${API}/playlists/${m.playlistId}/`, { token });
  const p = playlist.body as { name: string; media_items: { n_time_play: number }[] };
  const version = Number(p.name.slice(1));
  h.check(
    version === m.playlistAcked || version === m.playlistInFlight,
    `playlist is v${version}; acknowledged v${m.playlistAcked}, in flight v${m.playlistInFlight}`,
  );
  h.check(
    p.media_items.length <= 1 + (version % 3) &&
      p.media_items.every((item) => item.n_time_play === 1 + (version % 5)),
    `playlist v${version} is torn: ${JSON.stringify(p.media_items)}`,
  );
  if (version === m.playlistInFlight) m.playlistAcked = version;
  m.playlistInFlight = undefined;

  await checkSettings(h, server, token);
  await checkHistory(h, server, token);
}

/** The alert settings are the last acknowledged version or the one in flight, whole. */
async function checkSettings(h: HarnessState, server: Server, token: string): Promise<void> {
  const m = h.model;
  const settings = await request(server, '/api/v1/alerts/settings', { token });
  const s = settings.body as { thresholds: Record<string, { warning: number }> };
  const warnings = new Set(Object.values(s.thresholds).map((t) => t.warning));
  const expected = [m.settingsAcked, m.settingsInFlight]
    .filter((v): v is number => v !== undefined)
    .map((v) => v % 90);
  const [w] = [...warnings];
  // Before the first acknowledged write the defaults may still be there (their thresholds differ).
  const defaults = m.settingsAcked === 0 && !expected.includes(w ?? -1);
  if (!defaults) {
    h.check(warnings.size === 1, `alert settings torn: ${JSON.stringify(s.thresholds)}`);
    h.check(
      expected.includes(w ?? -1),
      `alert settings at ${w}; acknowledged ${m.settingsAcked}, in flight ${m.settingsInFlight}`,
    );
  }
  if (m.settingsInFlight !== undefined && w === m.settingsInFlight % 90) {
    m.settingsAcked = m.settingsInFlight;
  }
  m.settingsInFlight = undefined;
}

/** The history's tiers are consistent, and its query answers with the stored seconds. */
async function checkHistory(h: HarnessState, server: Server, token: string): Promise<void> {
  const { counts, findings } = historyFindings(h.options.dataDir, Math.ceil(h.clock.now() / 1000));
  for (const finding of findings) h.finding(finding);
  const res = await request(server, HISTORY_QUERY, { token });
  const metrics = (res.body as { metrics?: unknown } | undefined)?.metrics;
  h.check(
    res.status === 200 && Array.isArray(metrics),
    `history query answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`,
  );
  // The last hour's seconds are stored (the run is younger than the second tier's retention).
  if (counts.second > 0) {
    h.check(
      Array.isArray(metrics) && metrics.length > 0,
      `history query answered no points with ${counts.second} seconds stored`,
    );
  }
}
