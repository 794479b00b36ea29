import { test } from "node:test";
import assert from "node:assert/strict";
import { ResolutionTimer } from "./resolution_timer.ts";
import { HANDLE_RESOLUTION_BUCKETS, Histogram } from "../../core/management/histogram.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import { SeededRng } from "../../core/rng.ts";
import { encodeMessage } from "../../core/wire/wire_encoder.ts";

function setup(sampleEvery: number) {
  const registrar = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
  const histogram = new Histogram(HANDLE_RESOLUTION_BUCKETS);
  let t = 0;
  const role = new ResolutionTimer<RegistrarEvent>(registrar, histogram, () => (t += 0.002), {
    sampleEvery,
  });
  role.handleAssociationUp(0, -1, {
    remote: { address: "127.0.0.1", port: 40000 },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
  });
  return { registrar, histogram, role };
}

const HR = encodeMessage({ type: "handle-resolution", poolHandle: new Uint8Array([1]) });
const EU = encodeMessage({
  type: "endpoint-unreachable",
  poolHandle: new Uint8Array([1]),
  poolElementId: 1n,
});

test("ResolutionTimer times one Handle Resolution in sampleEvery and passes every message on", () => {
  const { registrar, histogram, role } = setup(3);
  for (let i = 0; i < 7; i++) {
    role.handleMessage(0, -1, 0x4e474153, 0, HR);
    role.handleMessage(0, -1, 0x4e474153, 0, EU); // not timed, not counted
  }
  assert.equal(histogram.count, 3); // the 1st, 4th and 7th
  assert.ok(Math.abs(histogram.sum - 3 * 0.000002) < 1e-12); // 2 µs each on the fake clock
  assert.equal(registrar.stats().handleResolutionsUnknownPool, 7);
  let answers = 0;
  while (role.pollTransmit() !== undefined) answers++;
  assert.equal(answers, 7);
});

test("ResolutionTimer with sampleEvery 1 times every resolution; bad values are refused", () => {
  const { histogram, role } = setup(1);
  for (let i = 0; i < 4; i++) role.handleMessage(0, -1, 0x4e474153, 0, HR);
  assert.equal(histogram.count, 4);
  assert.throws(() => setup(0), RangeError);
  assert.throws(() => setup(1.5), RangeError);
});
