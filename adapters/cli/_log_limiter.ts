// Keeps a flood from becoming a log flood (and the registrar from blocking on a full stderr
// pipe): at most `perSecond` lines per event name each second for the events a misbehaving peer
// can trigger at will, and `otherPerSecond` for the rest (registrations, removals: a
// registration flood makes thousands a second); the rest are counted and reported once per
// second as one `log-suppressed` line per event name.

import type { Logger } from "../log.ts";

/** Events a peer can cause at its own rate: the tighter limit. */
export const PEER_TRIGGERED_EVENTS: ReadonlySet<string> = new Set([
  "registration-rejected",
  "peer-protocol-error",
  "authorization-refused",
  "rate-limited",
  "unreachable-report",
  "unreachable-confirming",
  "unreachable-refuted",
  "association-aborted",
  "enrp-request-rejected",
  "tls-refused",
]);

export class LogLimiter {
  readonly #perSecond: number;
  readonly #otherPerSecond: number;
  readonly #now: () => number;
  readonly #report: (event: string, suppressed: number) => void;
  #window = -Infinity;
  readonly #lines = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();

  constructor(
    perSecond: number,
    otherPerSecond: number,
    now: () => number,
    report: (event: string, suppressed: number) => void,
  ) {
    this.#perSecond = perSecond;
    this.#otherPerSecond = otherPerSecond;
    this.#now = now;
    this.#report = report;
  }

  /** Whether a line for this event may be written now. */
  allow(event: string): boolean {
    const now = this.#now();
    if (now - this.#window >= 1000) this.flush(now);
    const limit = PEER_TRIGGERED_EVENTS.has(event) ? this.#perSecond : this.#otherPerSecond;
    const n = (this.#lines.get(event) ?? 0) + 1;
    this.#lines.set(event, n);
    if (n <= limit) return true;
    this.#suppressed.set(event, (this.#suppressed.get(event) ?? 0) + 1);
    return false;
  }

  /** Reports what was suppressed and starts a new window. */
  flush(now = this.#now()): void {
    for (const [event, count] of this.#suppressed) this.#report(event, count);
    this.#suppressed.clear();
    this.#lines.clear();
    this.#window = now;
  }
}

/**
 * The limiter every tool uses: 10 lines per peer-triggered event and second, 100 for the others,
 * reporting what it held back as a `log-suppressed` warning on the tool's log.
 */
export function toolLogLimiter(
  log: Logger,
  now: () => number,
): LogLimiter {
  return new LogLimiter(10, 100, now, (event, suppressed) => {
    log.warn(
      "log-suppressed",
      { of: event, suppressed },
      "more lines of this event in the last second",
    );
  });
}
