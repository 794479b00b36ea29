// A raw TCP peer of the registrar for the bad-input tests: it writes whatever bytes it is told
// to (garbage, oversized headers, one byte at a time), parses the shim frames coming back
// (answering HEARTBEATs when asked to) and notices when the registrar closes the connection.

import { AbortCause } from "../../core/transport/abort_cause.ts";
import { decodeFrame, encodeFrame, encodeHello, FrameType } from "../../core/transport/frame.ts";
import type { AsapMessage } from "../../core/wire/asap_message.ts";
import { decodeAsapMessage } from "../../core/wire/decode.ts";
import { PPID_ASAP_NG } from "../../core/wire/profile.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";

export { AbortCause };

/** A frame received. */
export interface RawFrame {
  readonly type: number;
  readonly ppid: number;
  readonly payload: Uint8Array;
}

const encoder = new WireEncoder({ profile: "ng" });

/** See the module comment. */
export class RawClient {
  readonly #conn: Deno.TcpConn;
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<void>;
  #buffer = new Uint8Array(0);
  #answerHeartbeats: boolean;
  #waiters: (() => void)[] = [];
  isClosed = false;

  private constructor(conn: Deno.TcpConn, answerHeartbeats: boolean) {
    this.#conn = conn;
    this.#answerHeartbeats = answerHeartbeats;
    this.closed = this.#readLoop();
  }

  /** Connects to 127.0.0.1:port. */
  static async connect(
    port: number,
    options: { answerHeartbeats?: boolean } = {},
  ): Promise<RawClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new RawClient(conn, options.answerHeartbeats ?? true);
  }

  async #readLoop(): Promise<void> {
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        const next = new Uint8Array(this.#buffer.length + n);
        next.set(this.#buffer);
        next.set(chunk.subarray(0, n), this.#buffer.length);
        this.#buffer = next;
        this.#parse();
      }
    } catch { /* reset */ }
    this.isClosed = true;
    try {
      this.#conn.close();
    } catch { /* closed */ }
    this.#wake();
  }

  #parse(): void {
    let offset = 0;
    for (;;) {
      const r = decodeFrame(this.#buffer, offset, 1 << 24);
      if (r.kind !== "frame") break;
      const f = r.frame;
      this.frames.push({ type: f.type, ppid: f.ppid, payload: f.payload.slice() });
      if (f.type === FrameType.Heartbeat && this.#answerHeartbeats) {
        this.write(encodeFrame(FrameType.HeartbeatAck, 0, 0, f.payload));
      }
      offset += r.consumed;
    }
    this.#buffer = this.#buffer.slice(offset);
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Writes bytes (errors after a close are ignored). */
  write(bytes: Uint8Array): void {
    (async () => {
      let done = 0;
      while (done < bytes.length) done += await this.#conn.write(bytes.subarray(done));
    })().catch(() => {});
  }

  /** Sends the shim HELLO. */
  hello(): void {
    this.write(encodeHello(1 << 20));
  }

  /** Sends an ASAP message (NG profile) as a DATA frame. */
  send(message: AsapMessage): void {
    this.write(encodeFrame(FrameType.Data, 0, PPID_ASAP_NG, encoder.encodeAsap(message).slice()));
  }

  /** Waits for a frame matching `match` (searching from `from`), at most `ms`. */
  async frame(match: (f: RawFrame) => boolean, ms = 10000, from = 0): Promise<RawFrame> {
    const start = Date.now();
    for (;;) {
      for (let i = from; i < this.frames.length; i++) {
        if (match(this.frames[i]!)) return this.frames[i]!;
      }
      if (this.isClosed) {
        throw new Error("The registrar closed the connection before the frame came");
      }
      const left = ms - (Date.now() - start);
      if (left <= 0) throw new Error(`No matching frame within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends an ASAP request and returns the next ASAP message answering it. */
  async request(message: AsapMessage, ms = 10000): Promise<AsapMessage> {
    const from = this.frames.length;
    this.send(message);
    const f = await this.frame((x) => x.type === FrameType.Data, ms, from);
    const r = decodeAsapMessage(f.payload, { profile: "ng" });
    if (r.kind !== "ok") throw new Error(`Undecodable answer: ${r.kind}`);
    return r.message;
  }

  /** The ABORT frame received, if any: its cause and reason. */
  abort(): { cause: number; reason: string } | undefined {
    const f = this.frames.find((x) => x.type === FrameType.Abort);
    if (f === undefined) return undefined;
    return {
      cause: (f.payload[0]! << 8) | f.payload[1]!,
      reason: new TextDecoder().decode(f.payload.subarray(2)),
    };
  }

  /** Waits for the registrar to close the connection, at most `ms`. */
  async waitClosed(ms = 10000): Promise<void> {
    let t: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.closed.then(() => "closed" as const),
      new Promise<"timeout">((resolve) => (t = setTimeout(() => resolve("timeout"), ms))),
    ]);
    clearTimeout(t);
    if (r === "timeout") {
      throw new Error(`The registrar did not close the connection within ${ms} ms`);
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }
}
