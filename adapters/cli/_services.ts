// The classic example services of a pool element (RSPLIB's rspserver): echo, discard, daytime,
// chargen and pingpong, each answering the messages of one PU association. Payload protocol
// identifiers are the IANA ones RSPLIB registered: Echo 38, Discard 39, Daytime 40, Character
// Generator 41, Ping Pong Protocol 33.

import { decodePing, encodePong, PPID_PINGPONG } from "./_pingpong.ts";

/** The services a `server` can run. */
export type ServiceName = "echo" | "discard" | "daytime" | "chargen" | "pingpong";

/** Every service name, for flag parsing. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  "echo",
  "discard",
  "daytime",
  "chargen",
  "pingpong",
];

/** IANA SCTP payload protocol identifiers of the services (RSPLIB's registrations). */
export const SERVICE_PPID: Readonly<Record<ServiceName, number>> = {
  echo: 38,
  discard: 39,
  daytime: 40,
  chargen: 41,
  pingpong: PPID_PINGPONG,
};

/** RSPLIB's default pool handle of each service. */
export const DEFAULT_POOL: Readonly<Record<ServiceName, string>> = {
  echo: "EchoPool",
  discard: "DiscardPool",
  daytime: "DaytimePool",
  chargen: "CharGenPool",
  pingpong: "PingPongPool",
};

/** Whether a service answers every request with exactly one reply (so replies acknowledge). */
export function repliesToEveryRequest(service: ServiceName): boolean {
  return service !== "discard";
}

/** A message to send back. */
export interface Reply {
  readonly ppid: number;
  readonly payload: Uint8Array;
}

/** What a session does with one received message. */
export interface ServiceResult {
  /** Messages to send back, in order. */
  readonly replies: readonly Reply[];
  /** Set when the message is unusable: the association is aborted with this reason. */
  readonly abort?: string;
}

/** The service side of one PU association. */
export interface ServiceSession {
  /** Handles one message (PPID and payload; the payload may be a view: copy to keep it). */
  handle(ppid: number, payload: Uint8Array): ServiceResult;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NONE: ServiceResult = { replies: [] };

/** RFC 864's line: 72 printable characters starting one further along each line. */
const CHARGEN_LINE = 72;
const CHARGEN_FIRST = 0x20, CHARGEN_COUNT = 95;
/** Most chargen lines one request may ask for. */
export const CHARGEN_MAX_LINES = 1000;

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The daytime text, RSPLIB's layout in UTC: `Saturday, 21-November-2026 06:43:00.123 UTC`. */
export function daytimeText(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())}-${
    MONTHS[d.getUTCMonth()]
  }-${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${
      p(d.getUTCMilliseconds(), 3)
    } UTC`;
}

/**
 * Creates the session of a service for one association.
 *
 * - echo: each message back, with its PPID (as RSPLIB's echo does);
 * - discard: nothing back;
 * - daytime: the date and time, for each message;
 * - chargen: for each message, the next lines of RFC 864's rotating character pattern (72
 *   characters and CRLF each): as many as the message asks for as a decimal number (1..1000),
 *   else one;
 * - pingpong: a Pong for each Ping, echoing its message number and data, with the session's
 *   reply counter (from 1); anything else aborts the association (as RSPLIB does).
 */
export function createSession(
  service: ServiceName,
  clock: () => Date = () => new Date(),
): ServiceSession {
  switch (service) {
    case "echo":
      return { handle: (ppid, payload) => ({ replies: [{ ppid, payload }] }) };
    case "discard":
      return { handle: () => NONE };
    case "daytime":
      return {
        handle: () => ({
          replies: [{ ppid: SERVICE_PPID.daytime, payload: encoder.encode(daytimeText(clock())) }],
        }),
      };
    case "chargen": {
      let line = 0;
      return {
        handle(_ppid, payload) {
          const asked = /^\s*(\d{1,4})\s*$/.exec(decoder.decode(payload));
          const n = asked === null ? 1 : Math.min(CHARGEN_MAX_LINES, Math.max(1, Number(asked[1])));
          const out = new Uint8Array(n * (CHARGEN_LINE + 2));
          for (let i = 0; i < n; i++, line++) {
            const base = i * (CHARGEN_LINE + 2);
            for (let c = 0; c < CHARGEN_LINE; c++) {
              out[base + c] = CHARGEN_FIRST + (line + c) % CHARGEN_COUNT;
            }
            out[base + CHARGEN_LINE] = 13;
            out[base + CHARGEN_LINE + 1] = 10;
          }
          return { replies: [{ ppid: SERVICE_PPID.chargen, payload: out }] };
        },
      };
    }
    case "pingpong": {
      let replyNo = 1n;
      return {
        handle(_ppid, payload) {
          const ping = decodePing(payload);
          if (ping === undefined) return { replies: [], abort: "Not a Ping message" };
          const pong = encodePong(ping.messageNo, replyNo++, ping.data);
          return { replies: [{ ppid: PPID_PINGPONG, payload: pong }] };
        },
      };
    }
  }
}
