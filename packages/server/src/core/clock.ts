/**
 * The two clocks (issue 18 §2). The wall clock (`Date.now`) says what time it is for a person:
 * timestamps stored and shown, the `expires_at` a device compares with its own clock, a JWT's
 * `exp`. It steps: NTP corrects it, a Raspberry Pi without a real-time clock boots in 1970, an
 * operator sets it by hand. Every duration the server measures for itself (rate-limit windows,
 * how long a Now Playing session went without an update, pairing code lifetimes, cache ages,
 * poll latencies, network rates, uptime) runs on the monotonic clock, which never steps, so a step
 * neither expires everything at once nor freezes anything. Timers (`setTimeout`, `setInterval`)
 * already run on it in Node. docs/reliability.md lists each timer and which clock it reads.
 */

/** Milliseconds since an arbitrary origin; never goes back, never jumps with the wall clock. */
export type MonotonicClock = () => number;

/** `performance.now()`: Node's monotonic clock (CLOCK_MONOTONIC on Linux). */
export const monotonicNow: MonotonicClock = () => performance.now();
