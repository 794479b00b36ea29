import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePing, decodePong, encodePing, encodePong } from "./_pingpong.ts";
import { createSession, daytimeText, SERVICE_PPID } from "./_services.ts";

const enc = new TextEncoder(), dec = new TextDecoder();

test("createSession('echo') sends each message back with its PPID", () => {
  const r = createSession("echo").handle(0, enc.encode("hi"));
  assert.deepEqual(r.replies.map((x) => [x.ppid, dec.decode(x.payload)]), [[0, "hi"]]);
});

test("createSession('discard') answers nothing", () => {
  assert.deepEqual(createSession("discard").handle(39, enc.encode("x")).replies, []);
});

test("createSession('daytime') answers the time with PPID 40", () => {
  const at = new Date(Date.UTC(2026, 10, 21, 6, 43, 0, 123));
  const r = createSession("daytime", () => at).handle(40, enc.encode("?"));
  assert.equal(r.replies[0]?.ppid, 40);
  assert.equal(dec.decode(r.replies[0]!.payload), "Saturday, 21-November-2026 06:43:00.123 UTC");
  assert.equal(daytimeText(at), "Saturday, 21-November-2026 06:43:00.123 UTC");
});

test("createSession('chargen') continues RFC 864's rotating lines across requests", () => {
  const s = createSession("chargen");
  const first = dec.decode(s.handle(41, enc.encode("2")).replies[0]!.payload);
  const lines = first.split("\r\n");
  assert.equal(lines.length, 3); // two lines and the empty rest after the last CRLF
  assert.equal(
    lines[0],
    Array.from({ length: 72 }, (_, i) => String.fromCharCode(32 + i)).join(""),
  );
  assert.equal(lines[1]!.slice(0, 3), '!"#');
  const next = dec.decode(s.handle(41, enc.encode("anything")).replies[0]!.payload);
  assert.equal(next.slice(0, 1), '"'); // third line starts two characters along
  assert.equal(next.length, 74);
});

test("createSession('pingpong') answers each Ping with a Pong and counts replies", () => {
  const s = createSession("pingpong");
  for (const n of [1n, 2n]) {
    const r = s.handle(33, encodePing(40n + n, enc.encode("data")));
    assert.equal(r.replies[0]?.ppid, SERVICE_PPID.pingpong);
    const pong = decodePong(r.replies[0]!.payload);
    assert.deepEqual([pong?.messageNo, pong?.replyNo, dec.decode(pong!.data)], [
      40n + n,
      n,
      "data",
    ]);
  }
  assert.match(s.handle(33, enc.encode("garbage")).abort ?? "", /Not a Ping/);
});

test("decodePing() and decodePong() refuse truncated or mistyped messages", () => {
  const ping = encodePing(7n, enc.encode("x"));
  assert.equal(decodePing(ping)?.messageNo, 7n);
  assert.equal(decodePing(ping.subarray(0, 12)), undefined); // declared length 13 > 12 bytes
  assert.equal(decodePong(ping), undefined);
  assert.equal(decodePing(encodePong(1n, 1n, new Uint8Array())), undefined);
});
