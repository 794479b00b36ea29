import { test } from "node:test";
import assert from "node:assert/strict";
import { LogLimiter } from "./_log_limiter.ts";

test("LogLimiter.allow() lets 10 peer-triggered and 100 other lines a second through and reports the rest once per second", () => {
  let now = 0;
  const reports: [string, number][] = [];
  const limiter = new LogLimiter(10, 100, () => now, (event, n) => reports.push([event, n]));
  let rejected = 0, registered = 0;
  for (let i = 0; i < 500; i++) {
    if (limiter.allow("registration-rejected")) rejected++;
    if (limiter.allow("registered")) registered++;
    now += 1; // 500 of each in 0.5 s
  }
  assert.equal(rejected, 10);
  assert.equal(registered, 100);
  assert.deepEqual(reports, []);
  now = 1000;
  assert.equal(limiter.allow("registration-rejected"), true); // a new second
  assert.deepEqual(reports, [["registration-rejected", 490], ["registered", 400]]);
  limiter.flush();
  assert.equal(reports.length, 2); // nothing suppressed since
});
