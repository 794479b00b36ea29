import { test } from "node:test";
import assert from "node:assert/strict";
import { recordMessage, sseMessage, sseResponse } from "./sse.ts";
import { SseParser } from "./sse_parser.ts";
import { EventFeed } from "./event_feed.ts";
import { eventRecord } from "./event_record.ts";

test("SseParser reads what sseMessage() writes, split at every position", () => {
  const text = "retry: 2000\n\n: ping\n\n" + sseMessage("a", "one\ntwo", "5") +
    sseMessage(undefined, "plain");
  for (let cut = 0; cut <= text.length; cut++) {
    const p = new SseParser();
    const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.deepEqual(events, [
      { event: "a", data: "one\ntwo", lastEventId: "5" },
      { event: "message", data: "plain", lastEventId: "5" },
    ], `cut at ${cut}`);
    assert.equal(p.retry, 2000);
  }
});

test("SseParser accepts CRLF and CR line ends, also split between CR and LF", () => {
  const p = new SseParser();
  assert.deepEqual(p.push("event: x\r"), []);
  assert.deepEqual(p.push("\ndata: 1\r\n\r"), [{ event: "x", data: "1", lastEventId: "" }]);
  assert.deepEqual(p.push("\ndata: 2\r\r"), [{ event: "message", data: "2", lastEventId: "" }]);
});

test("SseParser does not dispatch a message without data but keeps its id", () => {
  const p = new SseParser();
  assert.deepEqual(p.push("id: 9\nevent: x\n\ndata:y\n\n"), [
    { event: "message", data: "y", lastEventId: "9" },
  ]);
  assert.equal(p.lastEventId, "9");
});

test("recordMessage() puts the sequence in id, the name in event and the JSON in data", () => {
  const r = eventRecord({
    type: "deregistered",
    poolHandle: new Uint8Array([1]),
    peId: 2n,
    assoc: -1,
  }, {
    seq: 12,
    time: 0,
    registrarId: 3n,
  });
  const [m] = new SseParser().push(recordMessage(r));
  assert.equal(m!.event, "deregistered");
  assert.equal(m!.lastEventId, "12");
  assert.deepEqual(JSON.parse(m!.data), r);
});

test("sseResponse() drops a client that stops reading instead of queueing without bound", async () => {
  const feed = new EventFeed({ registrarId: 1n, wallClock: () => 0 });
  const response = sseResponse(feed, { hello: {} });
  assert.equal(feed.subscriberCount, 1);
  for (let i = 0; i < 5000; i++) feed.publish({ type: "announce-sent", targets: 1 });
  assert.equal(feed.subscriberCount, 0);
  const reader = response.body!.getReader();
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) break;
  }, RangeError);
});

test("sseResponse() with a level sends only records that severe, in replay and live", async () => {
  const feed = new EventFeed({ registrarId: 1n, wallClock: () => 0 });
  feed.publish({ type: "announce-sent", targets: 1 }); // debug
  feed.publish({ type: "keep-alive-timeout", poolHandle: new Uint8Array([65]), peId: 1n }); // warn
  const response = sseResponse(feed, { since: 0, level: "warn", hello: {} });
  feed.publish({ type: "registered", poolHandle: new Uint8Array([65]), peId: 2n, assoc: -1 }); // info
  feed.publish({ type: "association-aborted", assoc: -1, reason: "x" }); // warn
  feed.close();
  const text = await response.text();
  const events = new SseParser().push(text).map((m) => m.event);
  assert.deepEqual(events, ["hello", "keep-alive-timeout", "association-aborted"]);
});
