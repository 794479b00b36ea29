import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { ASAP_DEFAULTS } from "../asap/defaults.ts";
import { resolveRegistrarConfig } from "./config.ts";

const rng = new SeededRng(1);

test("resolveRegistrarConfig() applies ASAP_DEFAULTS and draws an identifier of the profile's width", () => {
  const ng = resolveRegistrarConfig({ rng });
  assert.equal(ng.keepAliveTransmissionInterval, ASAP_DEFAULTS.keepAliveTransmissionInterval.value);
  assert.equal(ng.maxBadPeReports, ASAP_DEFAULTS.maxBadPeReports.value);
  assert.equal(ng.handleResolutionItemsLimit, 128);
  assert.equal(ng.minAddressScope, "loopback");
  assert.equal(ng.userAddressCheck, "association");
  assert.ok(ng.id > 0n);
  const rfc = resolveRegistrarConfig({ rng, profile: "rfc" });
  assert.ok(rfc.id > 0n && rfc.id < 0xffffffffn);
  assert.equal(
    resolveRegistrarConfig({ rng, maxPoolHandleLength: 32 }).limits.maxPoolHandleLength,
    32,
  );
});

test("resolveRegistrarConfig() refuses options out of range or of the wrong type", () => {
  assert.throws(() => resolveRegistrarConfig({ rng, id: 0n }), RangeError);
  assert.throws(() => resolveRegistrarConfig({ rng, profile: "rfc", id: 1n << 33n }), RangeError);
  assert.throws(() => resolveRegistrarConfig({ rng, keepAliveTimeout: 0 }), RangeError);
  assert.throws(() => resolveRegistrarConfig({ rng, maxHrRate: -1 }), RangeError);
  assert.throws(() => resolveRegistrarConfig({ rng, maxBadPeReports: 0 }), RangeError);
  // @ts-expect-error: not a scope
  assert.throws(() => resolveRegistrarConfig({ rng, minAddressScope: "planet" }), TypeError);
  // @ts-expect-error: not a profile
  assert.throws(() => resolveRegistrarConfig({ rng, profile: "v2" }), TypeError);
  assert.throws(
    () => resolveRegistrarConfig({ rng, asapEndpoints: [{ address: "host", port: 1 }] }),
    SyntaxError,
  );
  assert.throws(
    () => resolveRegistrarConfig({ rng, announceTargets: [{ address: "239.0.0.50", port: 0 }] }),
    RangeError,
  );
});
