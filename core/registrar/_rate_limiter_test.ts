import { test } from "node:test";
import assert from "node:assert/strict";
import { burstOf, TokenBucket } from "./_rate_limiter.ts";

test("TokenBucket.take() allows the burst, then the rate", () => {
  const rate = 10, burst = burstOf(rate);
  const b = new TokenBucket(0, burst);
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (b.take(0, rate, burst)) allowed++;
  assert.equal(allowed, 10);
  allowed = 0;
  // Over the next 10 s at 100 requests/s, about 10/s pass.
  for (let t = 10; t <= 10_000; t += 10) if (b.take(t, rate, burst)) allowed++;
  assert.ok(allowed >= 99 && allowed <= 101, `${allowed}`);
  assert.equal(new TokenBucket(0, 1).take(0, 0, 1), true); // rate 0: unlimited
  assert.equal(burstOf(0.5), 1);
});
