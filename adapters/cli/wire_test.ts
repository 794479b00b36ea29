import { test } from "node:test";
import assert from "node:assert/strict";
import { unhex } from "../../tests/_hex.ts";
import { PcapWriter } from "../pcap/pcap_writer.ts";
import { EXIT_BAD_INPUT, EXIT_USAGE, runWire } from "./wire.ts";

function run(argv: string[], stdin = "", files: Record<string, Uint8Array> = {}) {
  let out = "", err = "";
  const code = runWire(argv, {
    readStdin: () => stdin,
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error("ENOENT: no such file");
      return f;
    },
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}

const REGISTRATION =
  "0100003c0009000c4563686f506f6f6c000a002c1a2b3c4d0000000000015f90000500100007000000010008c000020a0008000c4000000140000000";

test("runWire() decodes hex to JSON with identifiers as decimal strings", () => {
  const r = run(["decode", REGISTRATION, "--profile", "rfc"]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), {
    protocol: "asap",
    profile: "rfc",
    bytes: 60,
    message: {
      type: "registration",
      poolHandle: "EchoPool",
      poolElement: {
        id: "439041101",
        homeRegistrarId: "0",
        registrationLife: 90000,
        userTransport: {
          protocol: "tcp",
          port: 7,
          transportUse: "data",
          addresses: ["192.0.2.10"],
        },
        policy: { type: "LeastUsed", load: 1073741824 },
      },
    },
  });
});

test("runWire() accepts spaced or colon-separated hex and decodes every message in it", () => {
  const r = run(["decode", "0a 00 00 08 7c 5b 2e 11", "0a:00:00:08:00:00:00:01"]);
  assert.equal(r.code, 0);
  const docs = r.out.trim().split(/\n(?=\{)/).map((d) => JSON.parse(d));
  assert.deepEqual(docs.map((d) => d.message.registrarId), ["2086350353", "1"]);
});

test("runWire() tries ASAP then ENRP without --protocol, and says so", () => {
  const r = run(["decode", "0500000c3f00aa017c5b2e11"]);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.out).message.type, "list-request");
  assert.match(r.err, /^wire: not ASAP \(.*\); decoded as ENRP\n$/);
  const forced = run(["decode", "0500000c3f00aa017c5b2e11", "--protocol", "asap"]);
  assert.equal(forced.code, EXIT_BAD_INPUT);
  assert.match(forced.err, /^wire: Cannot decode ASAP Handle Resolution: .*\n$/);
});

test("runWire() exits 2 with one line for input it cannot decode", () => {
  for (
    const args of [["decode", "zz"], ["decode", "0a0000087c5b2e"], [
      "decode",
      "0a800008000000ff",
      "--profile",
      "rfc",
    ]]
  ) {
    const r = run(args);
    assert.equal(r.code, EXIT_BAD_INPUT, args.join(" "));
    assert.equal(r.err.split("\n").length, 2, r.err);
    assert.equal(r.out, "");
  }
  assert.match(
    run(["decode", "0a800008000000ff", "--profile", "rfc", "--protocol", "asap"]).err,
    /profile-mismatch/,
  );
});

test("runWire() encodes the JSON that decode prints back to the same bytes", () => {
  const decoded = run(["decode", REGISTRATION, "--profile", "rfc"]).out;
  const r = run(["encode"], decoded);
  assert.equal(r.code, 0);
  assert.equal(r.out, REGISTRATION + "\n");
  // A bare message takes the profile from --profile (NG by default).
  const bare = JSON.stringify(JSON.parse(decoded).message);
  assert.equal(run(["encode", "--profile", "rfc"], bare).out, REGISTRATION + "\n");
  assert.equal(run(["encode"], bare).out.slice(0, 8), "01800044"); // NG: 8 bytes longer
  assert.equal(run(["encode", bare, "--profile", "rfc"]).out, REGISTRATION + "\n");
});

test("runWire() encode refuses bad JSON, bad values and the wrong protocol with exit 2", () => {
  const cases: [string[], string, RegExp][] = [
    [[], "{nope", /^wire: the input is not JSON/],
    [[], '{"type":"registration","poolHandle":"P"}', /message\.poolElement: expected an object/],
    [[], '{"type":"list-request","senderId":"99999999999"}', /does not fit the RFC profile/],
    [
      ["--protocol", "asap"],
      '{"type":"list-request","senderId":"1"}',
      /is an ENRP message, not ASAP/,
    ],
  ];
  for (const [args, input, want] of cases) {
    const r = run(["encode", "--profile", "rfc", ...args], input);
    assert.equal(r.code, EXIT_BAD_INPUT, input);
    assert.match(r.err, want);
  }
});

test("runWire() decodes every ASAP/ENRP message of a capture as JSON lines", () => {
  const w = new PcapWriter();
  w.addSctp({ src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3863, dstPort: 3863 }, [{
    ppid: 11,
    payload: unhex(REGISTRATION),
  }]);
  w.addUdp(
    { src: "192.0.2.1", dst: "239.0.0.51", srcPort: 9901, dstPort: 9901 },
    unhex("0500000c3f00aa017c5b2e11"),
  );
  w.addSctp({ src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3863, dstPort: 3863 }, [{
    ppid: 11,
    payload: unhex("0100000800000000"),
  }]);
  const r = run(["decode", "--pcap", "x.pcap"], "", { "x.pcap": w.bytes() });
  assert.equal(r.code, EXIT_BAD_INPUT); // one message is malformed
  const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.frame, l.transport, l.protocol, l.message?.type ?? "error"]),
    [
      [1, "sctp", "asap", "registration"],
      [2, "udp", "enrp", "list-request"],
      [3, "sctp", "asap", "error"],
    ],
  );
  assert.equal(lines[0].ppid, 11);
  assert.equal(lines[0].src, "192.0.2.1");
  assert.match(lines[2].error, /Cannot decode ASAP Registration/);
  assert.match(r.err, /3 ASAP\/ENRP message\(s\) in 3 frame\(s\), 1 could not be decoded/);
});

test("runWire() reports unreadable capture files and usage errors", () => {
  assert.equal(run(["decode", "--pcap", "missing.pcap"]).code, EXIT_BAD_INPUT);
  const bad = run(["decode", "--pcap", "x"], "", { x: new Uint8Array(64) });
  assert.equal(bad.code, EXIT_BAD_INPUT);
  assert.match(bad.err, /is not pcap or pcapng/);
  assert.equal(run([]).code, EXIT_USAGE);
  assert.equal(run(["frobnicate"]).code, EXIT_USAGE);
  assert.equal(run(["decode"]).code, EXIT_USAGE);
  assert.equal(run(["decode", "00", "--profile", "v3"]).code, EXIT_USAGE);
  assert.equal(run(["decode", "00", "--bogus"]).code, EXIT_USAGE);
  const help = run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage:/);
});
