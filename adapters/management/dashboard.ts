/**
 * The live dashboard: one static HTML page with inline CSS and JavaScript (no build step, no
 * external resources), served by the management app at `/` (it lives in `adapters/` because
 * its browser script uses timers and `await`, which `core/` must not contain, even in strings). It reads `/v1/registrar`,
 * `/v1/pools`, `/v1/pools/{handle}` and `/v1/peers`, follows `/v1/events`, and shows the
 * pools, their PEs with load bars, policies and home registrars, the ENRP peers with their
 * checksums in sync or not, and the recent events as they stream in. Page content is built
 * with DOM nodes and `textContent` only, so pool handles and other peer-supplied text cannot
 * inject markup.
 *
 * @module
 */

/**
 * The dashboard page.
 *
 * @example It is a complete HTML document without external resources
 * ```ts
 * import { DASHBOARD_HTML } from "./dashboard.ts";
 * import assert from "node:assert/strict";
 * assert.ok(DASHBOARD_HTML.startsWith("<!doctype html>"));
 * assert.ok(!/\b(src|href)="https?:/.test(DASHBOARD_HTML));
 * ```
 */
export const DASHBOARD_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rserpool-ng registrar</title>
<style>
:root { --bg: #0f1419; --panel: #171d24; --line: #263040; --text: #d8dee9; --dim: #8a96a8;
  --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0 12px 0 0; }
.kv { color: var(--dim); } .kv b { color: var(--text); font-weight: 600; }
#live { margin-left: auto; } .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--bad); margin-right: 6px; }
.dot.on { background: var(--ok); }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; }
section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim); margin: 0 0 8px; }
.pool { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
.pool-head { display: flex; gap: 16px; align-items: baseline; padding: 8px 12px; border-bottom: 1px solid var(--line); }
.pool-head .name { font-weight: 700; font-size: 15px; }
.tag { font-size: 12px; color: var(--dim); }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 12px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--dim); font-weight: 500; font-size: 12px; }
tr:last-child td { border-bottom: 0; }
.bar { position: relative; width: 140px; height: 14px; background: #0b0f14; border: 1px solid var(--line); border-radius: 3px; overflow: hidden; display: inline-block; vertical-align: middle; }
.bar > span { position: absolute; inset: 0 auto 0 0; background: var(--ok); }
.bar.mid > span { background: var(--warn); } .bar.high > span { background: var(--bad); }
.pct { display: inline-block; width: 52px; text-align: right; margin-left: 6px; color: var(--dim); }
.home { color: var(--accent); } .muted { color: var(--dim); }
.sync-ok { color: var(--ok); font-weight: 600; } .sync-bad { color: var(--bad); font-weight: 600; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
.empty { padding: 10px 12px; color: var(--dim); }
#events { list-style: none; margin: 0; padding: 0; max-height: 60vh; overflow: auto; }
#events li { padding: 5px 12px; border-bottom: 1px solid var(--line); font-size: 13px; }
#events time { color: var(--dim); margin-right: 8px; font-variant-numeric: tabular-nums; }
#events .warn { color: var(--warn); } #events .error { color: var(--bad); }
#events .name { color: var(--dim); font-family: ui-monospace, monospace; font-size: 12px; margin-right: 6px; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>rserpool-ng registrar <span id="name" class="muted"></span></h1>
  <span class="kv">ID <b id="rid">–</b></span>
  <span class="kv">profile <b id="profile">–</b></span>
  <span class="kv">uptime <b id="uptime">–</b></span>
  <span class="kv">pools <b id="npools">–</b></span>
  <span class="kv">PEs <b id="npes">–</b> (own <b id="nown">–</b>)</span>
  <span class="kv">checksum <b id="checksum">–</b></span>
  <span id="live" class="kv"><span id="dot" class="dot"></span><span id="livetext">connecting</span></span>
</header>
<main>
  <section>
    <h2>Pools</h2>
    <div id="pools"><div class="panel empty">Loading…</div></div>
  </section>
  <aside>
    <section>
      <h2>ENRP peers</h2>
      <div class="panel" id="peers"><div class="empty">Loading…</div></div>
    </section>
    <section>
      <h2>Recent events</h2>
      <div class="panel"><ul id="events"></ul></div>
    </section>
  </aside>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") e.className = v; else e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
async function getJson(path) {
  const r = await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}
function hex(n, bits) { return n === null || n === undefined ? "–" : "0x" + Number(n).toString(16).padStart(bits / 4, "0"); }
function age(ms) {
  if (ms === null || ms === undefined) return "never";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return Math.floor(s / 3600) + " h ago";
}
function duration(sec) {
  const s = Math.floor(sec), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}
function endpoint(t) {
  if (!t) return "–";
  const a = t.addresses.map((x) => x.includes(":") ? "[" + x + "]" : x).join(", ");
  return t.protocol + " " + a + ":" + t.port;
}
function policyCell(p) {
  if (p.loadPercent !== null && p.loadPercent !== undefined) {
    const pct = Math.max(0, Math.min(100, p.loadPercent));
    const bar = el("span", { class: "bar" + (pct >= 80 ? " high" : pct >= 50 ? " mid" : ""), title: "load " + pct.toFixed(1) + " %" }, el("span", { style: "width:" + pct.toFixed(1) + "%" }));
    const extra = p.weight !== undefined ? " w " + p.weight : "";
    return el("td", { class: "load" }, bar, el("span", { class: "pct" }, pct.toFixed(1) + " %"), extra);
  }
  const parts = [];
  for (const k of ["weight", "priority", "loadDegradation", "distance"]) if (p[k] !== undefined) parts.push(k + " " + p[k]);
  return el("td", { class: "load muted" }, parts.join(", ") || (p.abbreviation || p.type) + ", no policy values");
}
let registrarId = null, bits = 32;
function renderRegistrar(r) {
  registrarId = r.id; bits = r.checksumBits;
  $("name").textContent = r.name ? "“" + r.name + "”" : "";
  $("rid").textContent = r.id;
  $("profile").textContent = r.profile.toUpperCase();
  $("uptime").textContent = duration(r.uptimeSeconds);
  $("npools").textContent = r.pools;
  $("npes").textContent = r.poolElements;
  $("nown").textContent = r.ownedPoolElements;
  $("checksum").textContent = hex(r.ownershipChecksum, bits);
  document.title = "rserpool-ng registrar " + (r.name || r.id);
}
function renderPools(pools) {
  const box = $("pools");
  box.replaceChildren();
  if (pools.length === 0) { box.append(el("div", { class: "panel empty", id: "no-pools" }, "No pools: no pool element is registered.")); return; }
  for (const { pool, elements } of pools) {
    const rows = elements.map((pe) => el("tr", { "data-pe": pe.id },
      el("td", {}, pe.id),
      el("td", {}, endpoint(pe.userTransport)),
      policyCell(pe.policy),
      el("td", { class: pe.ownedByThisRegistrar ? "home" : "" }, pe.homeRegistrarId, pe.ownedByThisRegistrar ? " (this)" : ""),
      el("td", { class: "muted" }, age(pe.lastUpdateAgeMs)),
      el("td", { class: pe.unreachableReports ? "sync-bad" : "muted" }, pe.unreachableReports),
    ));
    const more = pool.poolElements > elements.length ? el("div", { class: "empty" }, (pool.poolElements - elements.length) + " more PEs not shown") : null;
    box.append(el("div", { class: "pool", "data-pool": pool.poolHandle },
      el("div", { class: "pool-head" },
        el("span", { class: "name" }, pool.poolHandle),
        el("span", { class: "tag" }, "policy ", el("b", {}, pool.policy)),
        el("span", { class: "tag" }, pool.transportProtocol + ", " + pool.transportUse),
        el("span", { class: "tag" }, el("b", { class: "pe-count" }, pool.poolElements), " PE" + (pool.poolElements === 1 ? "" : "s")),
        el("span", { class: "tag" }, pool.stats.handleResolutions + " resolutions")),
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "PE"), el("th", {}, "transport"), el("th", {}, "load / policy"), el("th", {}, "home registrar"), el("th", {}, "last update"), el("th", {}, "unreachable"))),
        el("tbody", {}, ...rows)),
      more));
  }
}
function renderPeers(peers) {
  const box = $("peers");
  box.replaceChildren();
  if (peers.length === 0) { box.append(el("div", { class: "empty" }, "No ENRP peers.")); return; }
  box.append(el("table", {},
    el("thead", {}, el("tr", {}, el("th", {}, "peer"), el("th", {}, "status"), el("th", {}, "heard"), el("th", {}, "checksum"))),
    el("tbody", {}, ...peers.map((p) => el("tr", { "data-peer": p.id },
      el("td", { title: p.addresses.join(", ") }, p.id),
      el("td", {}, p.status),
      el("td", { class: "muted" }, age(p.lastHeardAgeMs)),
      el("td", { class: p.inSync === null ? "muted" : p.inSync ? "sync-ok" : "sync-bad", title: "reported " + hex(p.reportedChecksum, bits) + ", local " + hex(p.localChecksum, bits) },
        p.inSync === null ? "unknown" : p.inSync ? "✓ in sync" : "✗ differs"))))));
}
function addEvent(r) {
  const list = $("events");
  const t = new Date(r.time);
  list.prepend(el("li", { class: r.level, "data-event": r.event },
    el("time", { datetime: r.time }, t.toLocaleTimeString()),
    el("span", { class: "name" }, r.event), r.message));
  while (list.children.length > 100) list.lastChild.remove();
}
async function allPools() {
  const out = [];
  let cursor = "";
  for (let i = 0; i < 20; i++) {
    const page = await getJson("/v1/pools?limit=1000" + (cursor ? "&cursor=" + cursor : ""));
    out.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return out;
}
let refreshing = false, again = false;
async function refresh() {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    const [r, pools, peers] = await Promise.all([getJson("/v1/registrar"), allPools(), getJson("/v1/peers")]);
    const shown = pools.slice(0, 50);
    const details = await Promise.all(shown.map((p) => getJson("/v1/pools/" + p.ref + "?limit=200").catch(() => null)));
    renderRegistrar(r);
    renderPools(details.filter(Boolean).map((d) => ({ pool: d, elements: d.elements.items })));
    renderPeers(peers.items);
    document.body.dataset.loaded = "true";
  } catch (e) {
    $("livetext").textContent = "error: " + e.message;
  } finally {
    refreshing = false;
    if (again) { again = false; setTimeout(refresh, 50); }
  }
}
let pending = null;
function refreshSoon() { if (pending === null) pending = setTimeout(() => { pending = null; refresh(); }, 150); }
function connect() {
  const es = new EventSource("/v1/events?since=0&level=info");
  const seen = new Set();
  const onRecord = (m) => { const r = JSON.parse(m.data); addEvent(r); refreshSoon(); };
  es.addEventListener("hello", (m) => {
    const h = JSON.parse(m.data);
    $("dot").classList.add("on"); $("livetext").textContent = "live";
    for (const name of (h.events || "").split(",")) if (!seen.has(name)) { seen.add(name); es.addEventListener(name, onRecord); }
    refreshSoon();
  });
  es.addEventListener("gap", () => refreshSoon());
  es.onerror = () => { $("dot").classList.remove("on"); $("livetext").textContent = "reconnecting"; };
}
refresh();
connect();
setInterval(refresh, 5000);
</script>
</body>
</html>
`;
