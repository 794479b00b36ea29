// Fuzzes the role state machines (registrar with and without ENRP peering, pool element, pool
// user, session layer and session acceptor) with random event orders
// and valid, mutated and random messages, checking their invariants after every event
// (tests/_role_fuzz.ts), and reports cases per second.
//
//   deno task fuzz [COUNT] [--seed N]
//
// COUNT defaults to 1,000,000. A failure prints the role, seed and step and exits 1.

import { fuzzRoles, roleCorpus } from "../tests/_role_fuzz.ts";

const args = [...Deno.args];
let seed = (Date.now() ^ (performance.now() * 1000)) >>> 0;
const at = args.indexOf("--seed");
if (at >= 0) {
  seed = Number(args[at + 1]) >>> 0;
  args.splice(at, 2);
}
const count = args[0] === undefined ? 1_000_000 : Number(args[0].replaceAll("_", ""));
if (!Number.isInteger(count) || count <= 0) {
  console.error(`fuzz: COUNT must be a positive integer, not "${args[0]}"`);
  Deno.exit(64);
}

console.log(`fuzz: ${count} role cases, seed ${seed}`);
const corpora = { ng: roleCorpus("ng", 500, seed), rfc: roleCorpus("rfc", 500, seed + 1) };
const started = performance.now();
const chunk = 50_000;
const total = { cases: 0, sent: 0, closed: 0, registered: 0, sessions: 0, enrpSent: 0 };
try {
  for (let done = 0; done < count; done += chunk) {
    const c = fuzzRoles(Math.min(chunk, count - done), (seed + done) >>> 0, corpora);
    total.cases += c.cases;
    total.sent += c.sent;
    total.closed += c.closed;
    total.registered += c.registered;
    total.sessions += c.sessions;
    total.enrpSent += c.enrpSent;
    const secs = (performance.now() - started) / 1000;
    console.log(
      `  ${total.cases} cases, ${Math.round(total.cases / secs)} cases/s ` +
        `(sent ${total.sent}, closed ${total.closed})`,
    );
  }
} catch (e) {
  console.error(`fuzz: FAILED: ${(e as Error).message}`);
  Deno.exit(1);
}
const secs = (performance.now() - started) / 1000;
console.log(
  `fuzz: ${total.cases} cases in ${secs.toFixed(1)} s = ${
    Math.round(total.cases / secs)
  } cases/s, no failure`,
);
