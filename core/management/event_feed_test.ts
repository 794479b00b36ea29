import { test } from "node:test";
import assert from "node:assert/strict";
import { EventFeed } from "./event_feed.ts";
import type { EventRecord } from "./event_record.ts";

function feed(capacity: number) {
  let t = 1_000;
  return new EventFeed({ registrarId: 7n, wallClock: () => t++, capacity });
}

test("EventFeed.since() returns what the ring still holds and counts what it lost", () => {
  const f = feed(3);
  assert.deepEqual(f.since(0), { records: [], missed: 0 });
  for (let i = 0; i < 5; i++) f.publish({ type: "announce-sent", targets: i });
  assert.equal(f.lastSeq, 5);
  assert.deepEqual(f.since(0).records.map((r) => r.seq), [3, 4, 5]);
  assert.equal(f.since(0).missed, 2);
  assert.equal(f.since(1).missed, 1);
  assert.deepEqual(f.since(2), { records: f.since(0).records, missed: 0 });
  assert.deepEqual(f.since(4).records.map((r) => r.seq), [5]);
  assert.deepEqual(f.since(5), { records: [], missed: 0 });
  assert.deepEqual(f.since(99), { records: [], missed: 0 });
});

test("EventFeed.publish() stamps sequence, time, registrar and hands records to subscribers in order", () => {
  const f = feed(8);
  const a: EventRecord[] = [];
  const b: EventRecord[] = [];
  const offA = f.subscribe({ record: (r) => a.push(r), ping() {}, close() {} });
  f.subscribe({ record: (r) => b.push(r), ping() {}, close() {} });
  f.publish({ type: "startup-phase-ended" });
  offA();
  f.publish({ type: "startup-phase-ended" });
  assert.deepEqual(a.map((r) => r.seq), [1]);
  assert.deepEqual(b.map((r) => r.seq), [1, 2]);
  assert.equal(b[0]!.time, new Date(1001).toISOString()); // 1000 went to the epoch
  assert.equal(b[0]!.registrarId, "7");
  assert.equal(f.subscriberCount, 1);
});

test("EventFeed.close() closes every subscriber and any later one at once", () => {
  const f = feed(2);
  const log: string[] = [];
  f.subscribe({ record() {}, ping: () => log.push("ping"), close: () => log.push("close 1") });
  f.ping();
  f.close();
  f.subscribe({ record() {}, ping() {}, close: () => log.push("close 2") });
  assert.deepEqual(log, ["ping", "close 1", "close 2"]);
  assert.equal(f.subscriberCount, 0);
});

test("EventFeed rejects a capacity that is not a positive integer", () => {
  assert.throws(() => feed(0), RangeError);
  assert.throws(() => feed(1.5), RangeError);
});

test("EventFeed.resumeAfter() resumes its own event ids and replays all for ids of another feed", () => {
  const f = new EventFeed({ registrarId: 35n, wallClock: () => 36, capacity: 4 });
  assert.equal(f.epoch, "z.10");
  for (let i = 0; i < 3; i++) f.publish({ type: "startup-phase-ended" });
  assert.equal(f.eventId(2), "z.10-2");
  assert.equal(f.resumeAfter("z.10-2"), 2);
  assert.equal(f.resumeAfter("z.10-99"), 3); // not beyond the last record
  assert.equal(f.resumeAfter("z.9-2"), 0);
  assert.equal(f.resumeAfter("2"), 0);
  assert.equal(f.resumeAfter("z.10-x"), 0);
  assert.throws(
    () => new EventFeed({ registrarId: 1n, wallClock: () => 0, epoch: "a b" }),
    TypeError,
  );
});
