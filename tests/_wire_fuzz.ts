// The wire decoder's fuzz loop, shared by the normal test suite
// (core/wire/codec_property_test.ts, 10^5 cases per run) and the fuzz task
// (scripts/fuzz_wire.ts, any count). Inputs are random bytes and mutations of
// valid encodings; the only acceptable outcomes are a message, "need-more" or
// "malformed", each with consistent fields, and every decoded message must
// re-encode to bytes that decode to the same message.

import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { SeededRng } from "../core/rng.ts";
import type { AsapMessage } from "../core/wire/asap_message.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "../core/wire/decode.ts";
import type { DecodeOptions, DecodeResult } from "../core/wire/decode_result.ts";
import type { EnrpMessage } from "../core/wire/enrp_message.ts";
import { WireDecoder } from "../core/wire/wire_decoder.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";
import { anyMessageArb } from "./_wire_arbitraries.ts";

/** Valid encodings of random messages of both protocols and profiles. */
export function corpus(size: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const profile of ["rfc", "ng"] as const) {
    const enc = new WireEncoder({ profile });
    for (const { message } of fc.sample(anyMessageArb(profile), { numRuns: size / 2, seed })) {
      out.push(enc.encode(message).slice());
    }
  }
  return out;
}

/** Tallies of a fuzz run. */
export interface FuzzCounts {
  cases: number;
  ok: number;
  needMore: number;
  malformed: number;
}

function below(rng: SeededRng, n: number): number {
  return n <= 0 ? 0 : rng.nextU32() % n;
}

/** One mutated (or random) input. */
export function mutate(rng: SeededRng, samples: readonly Uint8Array[]): Uint8Array {
  const mode = below(rng, 16);
  if (mode === 0) {
    // Pure random bytes, sometimes with a consistent Length field.
    const b = new Uint8Array(below(rng, 96));
    for (let i = 0; i < b.length; i++) b[i] = rng.nextU32() & 0xff;
    if (b.length >= 4 && (rng.nextU32() & 1)) {
      b[2] = b.length >> 8;
      b[3] = b.length & 0xff;
    }
    return b;
  }
  const src = samples[below(rng, samples.length)]!;
  let b = src.slice();
  const rounds = 1 + below(rng, 4);
  for (let r = 0; r < rounds; r++) {
    switch (below(rng, 9)) {
      case 0: // flip a bit
        if (b.length > 0) b[below(rng, b.length)]! ^= 1 << below(rng, 8);
        break;
      case 1: // random byte
        if (b.length > 0) b[below(rng, b.length)] = rng.nextU32() & 0xff;
        break;
      case 2: { // perturb a 16-bit field at a 2-aligned offset (lengths, types)
        if (b.length < 2) break;
        const o = below(rng, b.length >> 1) * 2;
        const v = ((b[o]! << 8) | b[o + 1]!) + [-4, -3, -1, 1, 3, 4, 0x100, -0x100][below(rng, 8)]!;
        b[o] = (v >> 8) & 0xff;
        b[o + 1] = v & 0xff;
        break;
      }
      case 3: { // set a 16-bit field to a special value
        if (b.length < 2) break;
        const o = below(rng, b.length >> 1) * 2;
        const v = [
          0,
          1,
          3,
          4,
          5,
          0xffff,
          0x8000,
          0x4000,
          0xc000,
          0x803f,
          b.length,
        ][below(rng, 11)]!;
        b[o] = (v >> 8) & 0xff;
        b[o + 1] = v & 0xff;
        break;
      }
      case 4: // truncate
        b = b.subarray(0, below(rng, b.length + 1)).slice();
        break;
      case 5: { // append random bytes
        const extra = new Uint8Array(1 + below(rng, 12));
        for (let i = 0; i < extra.length; i++) extra[i] = rng.nextU32() & 0xff;
        const n = new Uint8Array(b.length + extra.length);
        n.set(b);
        n.set(extra, b.length);
        b = n;
        break;
      }
      case 6: { // splice in a slice of another sample
        const other = samples[below(rng, samples.length)]!;
        const from = below(rng, other.length), len = below(rng, other.length - from + 1);
        const at = below(rng, b.length + 1);
        const n = new Uint8Array(b.length + len);
        n.set(b.subarray(0, at));
        n.set(other.subarray(from, from + len), at);
        n.set(b.subarray(at), at + len);
        b = n;
        break;
      }
      case 7: // fix the message Length to the current size
        if (b.length >= 4) {
          b[2] = (b.length >> 8) & 0xff;
          b[3] = b.length & 0xff;
        }
        break;
      default: // toggle the NG flag
        if (b.length >= 2) b[1]! ^= 0x80;
    }
  }
  return b;
}

function fail(input: Uint8Array, what: string): never {
  const hex = Array.from(input, (x) => x.toString(16).padStart(2, "0")).join("");
  throw new Error(`wire fuzz: ${what}; input ${hex}`);
}

/** Decodes one input and checks every invariant; returns the result kind. */
export function checkOne(
  input: Uint8Array,
  protocol: "asap" | "enrp",
  options: DecodeOptions,
  encoders: { rfc: WireEncoder; ng: WireEncoder },
  decoder?: WireDecoder,
): DecodeResult<unknown>["kind"] {
  let r: DecodeResult<AsapMessage | EnrpMessage>;
  try {
    r = decoder !== undefined
      ? (protocol === "asap" ? decoder.decodeAsap(input) : decoder.decodeEnrp(input))
      : protocol === "asap"
      ? decodeAsapMessage(input, options)
      : decodeEnrpMessage(input, options);
  } catch (e) {
    fail(input, `decode threw ${String(e)}`);
  }
  switch (r.kind) {
    case "need-more":
      if (!(r.needed > input.length && r.needed <= 65535)) fail(input, `need-more ${r.needed}`);
      return r.kind;
    case "malformed":
      if (
        !(r.offset >= 0 && r.offset <= 65535) || !r.detail.startsWith("Cannot decode") ||
        !(r.consumed >= 1 && r.consumed <= input.length) ||
        (r.offending !== undefined && r.offending.length > input.length)
      ) fail(input, `inconsistent malformed result ${JSON.stringify(r.detail)}`);
      return r.kind;
    case "ok": {
      if (!(r.consumed >= 4 && r.consumed <= input.length)) fail(input, `consumed ${r.consumed}`);
      let again: Uint8Array;
      try {
        again = encoders[r.profile].encode(r.message);
      } catch (e) {
        fail(input, `decoded message does not re-encode: ${String(e)}`);
      }
      const r2 = protocol === "asap"
        ? decodeAsapMessage(again, { profile: r.profile })
        : decodeEnrpMessage(again, { profile: r.profile });
      if (r2.kind !== "ok" || !isDeepStrictEqual(r2.message, r.message)) {
        fail(input, "re-encoded message decodes differently");
      }
      return r.kind;
    }
  }
}

/** Runs `count` fuzz cases from `seed` over a corpus; throws on the first violation. */
export function fuzz(count: number, seed: number, samples: readonly Uint8Array[]): FuzzCounts {
  const rng = new SeededRng(seed);
  const encoders = {
    rfc: new WireEncoder({ profile: "rfc" }),
    ng: new WireEncoder({ profile: "ng" }),
  };
  const profiles: DecodeOptions[] = [
    { profile: "rfc" },
    { profile: "ng" },
    { profile: "detect" },
    { profile: "detect", maxMessageSize: 64 },
  ];
  // Every other case goes through a WireDecoder (slab copies, cached DataView) instead.
  const decoders = profiles.map((p) => new WireDecoder(p));
  const counts: FuzzCounts = { cases: 0, ok: 0, needMore: 0, malformed: 0 };
  for (let i = 0; i < count; i++) {
    const input = mutate(rng, samples);
    const protocol = rng.nextU32() & 1 ? "asap" : "enrp";
    const which = rng.nextU32() & 3;
    const kind = checkOne(
      input,
      protocol,
      profiles[which]!,
      encoders,
      i & 1 ? decoders[which] : undefined,
    );
    counts.cases++;
    if (kind === "ok") counts.ok++;
    else if (kind === "need-more") counts.needMore++;
    else counts.malformed++;
  }
  return counts;
}
