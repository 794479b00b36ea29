// The cost of a checkpoint: sealing a state into a cookie (CBOR encoding + HMAC-SHA-256) and
// opening it (HMAC check, then CBOR decoding), for a compute checkpoint of one unit (~130 bytes)
// and a 4 KiB state; and cbor-x's share of it (encoding and decoding alone, with the codec's
// options). Figures: bench/README.md, "Sessions and distributed computing".
import { Encoder } from "cbor-x/encode";
import { CookieCodec } from "../core/session/cookie_codec.ts";
import type { ComputeCheckpoint } from "../core/compute/compute_messages.ts";

const keys = [{ id: 0, secret: new TextEncoder().encode("bench pool-wide cookie key") }];
const codec = new CookieCodec<unknown>({ poolHandle: "ComputePool", keys, maxSize: 65527 });
const small: ComputeCheckpoint = {
  v: 1,
  units: [{
    job: "job-1795244466300",
    unit: 17,
    from: 17_000_000,
    to: 18_000_000,
    next: 17_262_144,
    count: 15_000,
    sum: 260_000_000_000n,
  }],
};
const large = { blob: new Uint8Array(4096).fill(7), step: 12345 };
const smallCookie = codec.seal(small, 0);
const largeCookie = codec.seal(large, 0);

Deno.bench({
  name: `seal a unit checkpoint (${smallCookie.length} bytes)`,
  group: "small",
  baseline: true,
}, () => {
  codec.seal(small, 0);
});
Deno.bench({ name: "open it (tag check + CBOR)", group: "small" }, () => {
  codec.open(smallCookie, 0);
});
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true });
const smallCbor = cbor.encode(small);
Deno.bench({ name: `cbor-x encode only (${smallCbor.length} bytes)`, group: "small" }, () => {
  cbor.encode(small);
});
Deno.bench({ name: "cbor-x decode only", group: "small" }, () => {
  cbor.decode(smallCbor);
});
Deno.bench({
  name: `seal a 4 KiB state (${largeCookie.length} bytes)`,
  group: "large",
  baseline: true,
}, () => {
  codec.seal(large, 0);
});
Deno.bench({ name: "open it (tag check + CBOR)", group: "large" }, () => {
  codec.open(largeCookie, 0);
});
const largeCbor = cbor.encode(large);
Deno.bench({ name: "cbor-x encode only", group: "large" }, () => {
  cbor.encode(large);
});
Deno.bench({ name: "cbor-x decode only", group: "large" }, () => {
  cbor.decode(largeCbor);
});
Deno.bench({ name: "refuse a forged one (tag check only)", group: "large" }, () => {
  const c = largeCookie;
  c[20]! ^= 1;
  codec.open(c, 0);
  c[20]! ^= 1;
});
