/**
 * What the bench devices received, against what was issued to them. Every bench command is a
 * `show_text_overlay` whose text is a tag unique to one issue (a load command's own tag, or one
 * broadcast's tag, the same for every device), so a receipt can be matched to its issue even when
 * the POST that issued it never got its answer (the server died first). Devices de-duplicate by
 * `command_id`, as the SDK's device client does:
 *
 * - applied: the first receipt of a `command_id`;
 * - re-delivery: the same `command_id` received again (the server re-sends what a socket carried
 *   but was never acknowledged; the device drops it and acks again);
 * - duplicated: one issue applied twice, i.e. under two different `command_id`s, which no
 *   de-duplication on the device can catch;
 * - lost: an accepted issue (202) never received.
 */

/** A command the load issued to one device, and how its POST ended. */
export interface Issue {
  readonly device: number;
  readonly tag: string;
  /** performance.now() when the POST started. */
  readonly at: number;
  /**
   * accepted: 202; refused: the connection was refused (nothing reached a server); ambiguous:
   * the connection broke after the request went out (the server may have stored it); rejected:
   * any other status.
   */
  outcome?: 'accepted' | 'refused' | 'ambiguous' | 'rejected';
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface Audit {
  /** Accepted issues: load commands answered 202, plus one per device per broadcast. */
  readonly issued: number;
  readonly lost: number;
  /** A few lost ones, `device|tag`, for the notes. */
  readonly lostSample: readonly string[];
  readonly duplicated: number;
  /** Receipts of a `command_id` already received. */
  readonly redeliveries: number;
  /** Distinct `command_id`s received. */
  readonly applied: number;
  /** Applied commands whose POST broke before its answer (ambiguous): stored after all. */
  readonly ambiguousDelivered: number;
  /** Applied commands matching no issue at all (should be 0). */
  readonly unknown: number;
  readonly posts: Readonly<Record<NonNullable<Issue['outcome']> | 'pending', number>>;
  /** POST start → first receipt, over accepted load commands that arrived. */
  readonly latency: LatencySummary;
}

const deviceKey = (device: number, tag: string): string => `${device}|${tag}`;

export class Ledger {
  /** Every `command_id` received. */
  readonly #commands = new Set<string>();
  /** Distinct command ids applied per `device|tag`. */
  readonly #applied = new Map<string, number>();
  /** First receipt time per `device|tag`. */
  readonly #firstAt = new Map<string, number>();
  readonly issues: Issue[] = [];
  redeliveries = 0;

  /** Records a receipt; true when it is the first of this `command_id` (apply it). */
  receive(device: number, commandId: string, tag: string, at: number): boolean {
    if (this.#commands.has(commandId)) {
      this.redeliveries += 1;
      return false;
    }
    const key = deviceKey(device, tag);
    this.#commands.add(commandId);
    this.#applied.set(key, (this.#applied.get(key) ?? 0) + 1);
    if (!this.#firstAt.has(key)) this.#firstAt.set(key, at);
    return true;
  }

  /** Whether every accepted issue (and every device's copy of each broadcast) has arrived. */
  complete(broadcasts: readonly string[], devices: number): boolean {
    for (const issue of this.issues) {
      if (issue.outcome === undefined) return false;
      if (issue.outcome === 'accepted' && !this.#applied.has(deviceKey(issue.device, issue.tag))) {
        return false;
      }
    }
    for (const tag of broadcasts) {
      for (let device = 0; device < devices; device++) {
        if (!this.#applied.has(deviceKey(device, tag))) return false;
      }
    }
    return true;
  }

  audit(broadcasts: readonly string[], devices: number): Audit {
    const expected = new Set<string>();
    const ambiguous = new Set<string>();
    const posts = { accepted: 0, refused: 0, ambiguous: 0, rejected: 0, pending: 0 };
    const latencies: number[] = [];
    for (const issue of this.issues) {
      const key = deviceKey(issue.device, issue.tag);
      posts[issue.outcome ?? 'pending'] += 1;
      if (issue.outcome === 'accepted') {
        expected.add(key);
        const first = this.#firstAt.get(key);
        if (first !== undefined) latencies.push(first - issue.at);
      } else {
        ambiguous.add(key);
      }
    }
    for (const tag of broadcasts) {
      for (let device = 0; device < devices; device++) expected.add(deviceKey(device, tag));
    }
    let lost = 0;
    let duplicated = 0;
    const lostSample: string[] = [];
    for (const key of expected) {
      const applied = this.#applied.get(key) ?? 0;
      if (applied === 0) {
        lost += 1;
        if (lostSample.length < 5) lostSample.push(key);
      }
      if (applied > 1) duplicated += 1;
    }
    let ambiguousDelivered = 0;
    let unknown = 0;
    for (const key of this.#applied.keys()) {
      if (expected.has(key)) continue;
      if (ambiguous.has(key)) ambiguousDelivered += 1;
      else unknown += 1;
    }
    return {
      issued: expected.size,
      lost,
      lostSample,
      duplicated,
      redeliveries: this.redeliveries,
      applied: this.#commands.size,
      ambiguousDelivered,
      unknown,
      posts,
      latency: summarize(latencies),
    };
  }
}

/** Nearest-rank percentiles. */
function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? 0
      : round2(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
  return {
    count: sorted.length,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: round2(sorted[sorted.length - 1] ?? 0),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
