// Slow-client run against a running shop: SLOW connections trickle a request's headers one
// byte every TRICKLE_MS, IDLE connections open and never send a byte. While they are held, a
// fresh client asks for /api/config and is timed. Prints how many connections were held as
// time passes, how many the shop closed (its header-read timeout) and when.
//
// Usage: node scripts/bench/slow-clients.mjs http://127.0.0.1:18090
// Settings (environment): SLOW=500 IDLE=1000 TRICKLE_MS=5000 WATCH_S=20

import http from "node:http";
import net from "node:net";

const target = new URL(process.argv[2] || "http://127.0.0.1:8080");
const SLOW = Number(process.env.SLOW || 500);
const IDLE = Number(process.env.IDLE || 1000);
const TRICKLE_MS = Number(process.env.TRICKLE_MS || 5000);
const WATCH_S = Number(process.env.WATCH_S || 20);
const host = target.hostname;
const port = Number(target.port || 80);
const request = `GET /api/config HTTP/1.1\r\nHost: ${target.host}\r\nUser-Agent: slow\r\n\r\n`;

const conns = [];
let failedToConnect = 0;

function open(kind) {
  return new Promise((resolve) => {
    const c = { kind, opened: 0, closedAt: null, answered: false, sent: 0 };
    const socket = net.connect({ host, port });
    c.socket = socket;
    socket.setNoDelay(true);
    socket.on("connect", () => {
      c.opened = performance.now();
      conns.push(c);
      resolve();
    });
    socket.on("data", () => {
      c.answered = true;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (c.opened === 0) {
        failedToConnect += 1;
        resolve();
      } else if (c.closedAt === null) {
        c.closedAt = performance.now();
      }
    });
  });
}

function trickle(c) {
  if (c.closedAt !== null || c.sent >= request.length) return;
  c.socket.write(request[c.sent]);
  c.sent += 1;
  c.timer = setTimeout(() => trickle(c), TRICKLE_MS);
}

function fresh() {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host, port, path: "/api/config", agent: false, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: e.message, ms: performance.now() - started }));
  });
}

const held = () => conns.filter((c) => c.closedAt === null).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const t0 = performance.now();
// Open in batches, so the listen backlog is not what is measured.
for (let i = 0; i < SLOW + IDLE; i += 100) {
  const batch = [];
  for (let j = i; j < Math.min(i + 100, SLOW + IDLE); j++)
    batch.push(open(j < SLOW ? "slow" : "idle"));
  await Promise.all(batch);
}
for (const c of conns) if (c.kind === "slow") trickle(c);
const openedMs = performance.now() - t0;
console.log(
  `attempted ${SLOW + IDLE} connections (${SLOW} trickling a byte every ${TRICKLE_MS / 1000} s, ` +
    `${IDLE} idle): ${conns.length} connected in ${openedMs.toFixed(0)} ms, ${failedToConnect} refused`,
);

await sleep(1000);
const answers = [];
for (let i = 0; i < 5; i++) answers.push(await fresh());
const ok = answers
  .filter((a) => a.status === 200)
  .map((a) => a.ms)
  .sort((a, b) => a - b);
console.log(
  `fresh client during the attack (${held()} held): ${ok.length}/5 answered 200, ` +
    `median ${ok.length ? ok[Math.floor(ok.length / 2)].toFixed(1) : "-"} ms, ` +
    `max ${ok.length ? ok[ok.length - 1].toFixed(1) : "-"} ms`,
);

const marks = [5, 9, 12, WATCH_S].filter((s, i, a) => s <= WATCH_S && a.indexOf(s) === i);
for (const s of marks) {
  await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
  console.log(`after ${String(s).padStart(2)} s: ${held()} of ${conns.length} still held`);
}

const closed = conns.filter((c) => c.closedAt !== null);
const lifetimes = closed.map((c) => (c.closedAt - c.opened) / 1000).sort((a, b) => a - b);
const byKind = (k) => closed.filter((c) => c.kind === k).length;
console.log(
  `closed by the shop: ${closed.length} of ${conns.length} (${byKind("slow")} slow, ` +
    `${byKind("idle")} idle; ${closed.filter((c) => c.answered).length} got bytes back first); ` +
    `held for ${lifetimes.length ? lifetimes[0].toFixed(1) : "-"}` +
    `-${lifetimes.length ? lifetimes[lifetimes.length - 1].toFixed(1) : "-"} s`,
);
console.log(
  `RESULT attempted=${SLOW + IDLE} connected=${conns.length} held_at_${WATCH_S}s=${held()} ` +
    `closed_by_timeout=${closed.length} fresh_median_ms=${ok.length ? ok[Math.floor(ok.length / 2)].toFixed(1) : "NaN"}`,
);
for (const c of conns) {
  clearTimeout(c.timer);
  c.socket.destroy();
}
