/**
 * A parser of the `text/event-stream` format (server-sent events, HTML standard §9.2), for
 * clients such as the `monitor` CLI: feed it decoded text in chunks of any size, get the
 * complete messages.
 *
 * @module
 */

/** One server-sent event message. */
export interface SseEvent {
  /** The `event:` field, `"message"` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen on the stream so far (the value for `Last-Event-ID`). */
  readonly lastEventId: string;
}

/**
 * An incremental `text/event-stream` parser. Lines may end with CRLF, LF or CR; comments
 * (`:` lines) are skipped; `retry:` is exposed as {@link SseParser.retry}.
 *
 * @example Messages split across chunks
 * ```ts
 * import { SseParser } from "./sse_parser.ts";
 * import assert from "node:assert/strict";
 * const p = new SseParser();
 * assert.deepEqual(p.push("retry: 500\n\n: ping\n\nid: 7\nevent: regis"), []);
 * assert.deepEqual(p.push("tered\ndata: a\ndata: b\n\n"), [
 *   { event: "registered", data: "a\nb", lastEventId: "7" },
 * ]);
 * assert.equal(p.retry, 500);
 * ```
 */
export class SseParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];
  #lastEventId = "";
  #retry: number | undefined = undefined;
  #pendingCr = false;

  /** The last `id:` seen (what to send as `Last-Event-ID` when reconnecting). */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The last `retry:` value in ms, if any. */
  get retry(): number | undefined {
    return this.#retry;
  }

  /**
   * Parses more text.
   *
   * @param chunk Decoded text (any split).
   * @returns The messages completed by it.
   */
  push(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = this.#buffer + chunk;
    if (this.#pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.#pendingCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(text.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.#pendingCr = true;
      }
      start = i + 1;
    }
    this.#buffer = text.slice(start);
    return out;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.#data.length > 0) {
        out.push({
          event: this.#event === "" ? "message" : this.#event,
          data: this.#data.join("\n"),
          lastEventId: this.#lastEventId,
        });
      }
      this.#event = "";
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (name) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
    }
  }
}
