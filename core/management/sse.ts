/**
 * Server-sent events (the `text/event-stream` format of the HTML standard) over an
 * {@link EventFeed}: the encoding of one record, and a `Response` that streams a feed to one
 * client. The stream is push-driven (a `ReadableStream` the feed writes into), so it needs no
 * timer and no `await`; the adapter's periodic {@link EventFeed.ping} keeps idle connections
 * open.
 *
 * Every record is one message: `id:` is `<feed epoch>-<sequence number>`, `event:` its stable
 * name, `data:` its JSON. The stream starts with `retry: 2000`, then a `hello` message (the registrar's
 * identifier and the last sequence number), then a `gap` message when records the client asked
 * for are no longer kept, then the records it asked for (`Last-Event-ID` header or `since`
 * query parameter), then new records as they come.
 *
 * @module
 */

import type { EventFeed, EventSubscriber } from "./event_feed.ts";
import { type EventRecord, LOG_LEVELS, type LogLevel } from "./event_record.ts";

const encoder = new TextEncoder();

/**
 * Records a client may have queued (not yet read) before its stream is dropped.
 *
 * @example The bound
 * ```ts
 * import { SSE_MAX_QUEUED } from "./sse.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SSE_MAX_QUEUED, 4096);
 * ```
 */
export const SSE_MAX_QUEUED = 4096;

/**
 * Encodes one server-sent event message.
 *
 * @param event The event name (`event:` field), or `undefined` for the default `message`.
 * @param data The data; each line becomes a `data:` field.
 * @param id The `id:` field, if any.
 * @returns The message text, ending with the blank line.
 * @example One message
 * ```ts
 * import { sseMessage } from "./sse.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sseMessage("registered", '{"seq":1}', "1"), 'id: 1\nevent: registered\ndata: {"seq":1}\n\n');
 * ```
 */
export function sseMessage(event: string | undefined, data: string, id?: string): string {
  let s = "";
  if (id !== undefined) s += `id: ${id}\n`;
  if (event !== undefined) s += `event: ${event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) s += `data: ${line}\n`;
  return `${s}\n`;
}

/**
 * The server-sent event message of a feed record.
 *
 * @param record The record.
 * @param id The event id (default the sequence number).
 * @returns The message text.
 * @example A record
 * ```ts
 * import { recordMessage } from "./sse.ts";
 * import { eventRecord } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * const r = eventRecord({ type: "startup-phase-ended" }, { seq: 3, time: 0, registrarId: 1n });
 * assert.ok(recordMessage(r, "e-3").startsWith("id: e-3\nevent: startup-phase-ended\ndata: {"));
 * ```
 */
export function recordMessage(record: EventRecord, id: string = String(record.seq)): string {
  return sseMessage(record.event, JSON.stringify(record), id);
}

/** Options of {@link sseResponse}. */
export interface SseResponseOptions {
  /** Replay the kept records after this sequence number first (default: none). */
  readonly since?: number | undefined;
  /** Send only records of this level or more severe (default all). */
  readonly level?: LogLevel | undefined;
  /** Data of the opening `hello` message. */
  readonly hello: { readonly [key: string]: string | number | boolean | null };
  /** Extra response headers. */
  readonly headers?: { readonly [name: string]: string };
}

/**
 * A streaming `text/event-stream` response over a feed. The subscription ends when the client
 * goes away (the body is cancelled), when the feed closes, or when the client stops reading
 * and more than {@link SSE_MAX_QUEUED} messages wait for it (it then reconnects with
 * `Last-Event-ID` and gets a `gap` message if records were lost).
 *
 * @param feed The feed.
 * @param options Replay position, `hello` data, headers.
 * @returns The response.
 * @example Read the opening messages
 * ```ts
 * import { EventFeed } from "./event_feed.ts";
 * import { sseResponse } from "./sse.ts";
 * import assert from "node:assert/strict";
 * const feed = new EventFeed({ registrarId: 9n, wallClock: () => 0 });
 * feed.publish({ type: "startup-phase-ended" });
 * const response = sseResponse(feed, { since: 0, hello: { registrarId: "9" } });
 * assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
 * const reader = response.body!.getReader();
 * let text = "";
 * while (!text.includes("startup-phase-ended")) {
 *   text += new TextDecoder().decode((await reader.read()).value);
 * }
 * assert.ok(text.startsWith('retry: 2000\n\nevent: hello\ndata: {"registrarId":"9"}\n\n'));
 * await reader.cancel();
 * assert.equal(feed.subscriberCount, 0);
 * ```
 */
export function sseResponse(feed: EventFeed, options: SseResponseOptions): Response {
  let unsubscribe: (() => void) | undefined;
  let done = false;
  const least = LOG_LEVELS.indexOf(options.level ?? "debug");
  const wanted = (r: EventRecord) => LOG_LEVELS.indexOf(r.level) >= least;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      const stop = () => {
        done = true;
        unsubscribe?.();
      };
      send("retry: 2000\n\n");
      send(sseMessage("hello", JSON.stringify(options.hello)));
      if (options.since !== undefined) {
        const recent = feed.since(options.since);
        if (recent.missed > 0) {
          send(sseMessage("gap", JSON.stringify({ missed: recent.missed })));
        }
        for (const r of recent.records) {
          if (wanted(r)) send(recordMessage(r, feed.eventId(r.seq)));
        }
      }
      const subscriber: EventSubscriber = {
        record(record) {
          if (done || !wanted(record)) return;
          if ((controller.desiredSize ?? 0) < -SSE_MAX_QUEUED) {
            stop();
            controller.error(new RangeError("Event stream client is not reading"));
            return;
          }
          send(recordMessage(record, feed.eventId(record.seq)));
        },
        ping() {
          if (!done) send(": ping\n\n");
        },
        close() {
          if (done) return;
          stop();
          controller.close();
        },
      };
      unsubscribe = feed.subscribe(subscriber);
    },
    cancel() {
      done = true;
      unsubscribe?.();
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      ...options.headers,
    },
  });
}
