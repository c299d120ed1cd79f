// Hostile clients against a running shop, in three parts (all by default, or those named):
//   headers  SLOW connections trickle a request's headers one byte every TRICKLE_MS, IDLE
//            connections open and never send a byte, spread over SPREAD source addresses
//            (127.0.1.x) so the per-client cap is not what closes them. While they are held, a
//            fresh client asks for /api/config and is timed. Prints how many connections were
//            held as time passes, how many the shop closed (its header-read timeout) and when.
//   readers  READERS clients (spread over 127.0.2.x, 10 to an address) each pipeline PIPELINE
//            requests for the widget's wasm and never read. Prints how many are still
//            connected at READER_MARKS seconds, the bytes queued in the kernel's buffers for
//            them (the shop's send queues and the clients' receive queues, from /proc/net/tcp)
//            and when the shop let them go (its write timeout).
//   address  one address (127.0.0.2) keeps ATTACK idle connections open, re-opening each one
//            as soon as it is closed; 2 s on, a fresh client on 127.0.0.3 sends FRESH requests
//            for /api/config, one every FRESH_EVERY_MS, each on a new connection. Prints how
//            many the address holds and the fresh client's p50/p99/max (the per-client cap).
// Any of 127.0.0.0/8 reaches loopback on Linux, so every source address works without set-up.
//
// Usage: node scripts/bench/slow-clients.mjs http://127.0.0.1:18090 [headers] [readers] [address]
// Settings (environment): SLOW=500 IDLE=1000 TRICKLE_MS=5000 WATCH_S=20 SPREAD=20 READERS=100
//   PIPELINE=40 READER_MARKS=5,10,20,70 WASM=/pkg/gopay_widget_wasm_bg.wasm ATTACK=4000 FRESH=200
//   FRESH_EVERY_MS=25

import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN;

if (isMainThread) await main();
else attacker(workerData);

async function main() {
  const target = new URL(process.argv[2] || "http://127.0.0.1:8080");
  const parts = process.argv.slice(3);
  const run = (part) => parts.length === 0 || parts.includes(part);
  const where = { host: target.hostname, port: Number(target.port || 80), hostHeader: target.host };
  if (run("headers")) await headers(where);
  if (run("readers")) await readers(where);
  if (run("address")) await address(where);
}

/// One GET of `path` on a new connection: its status (or error) and how long it took.
function fresh({ host, port }, path, localAddress) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host, port, path, localAddress, agent: false, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: e.message, ms: performance.now() - started }));
  });
}

/// The kernel's TCP sockets with the shop's port on either end (IPv4; the shop listens on it).
function sockets(port) {
  const endpoint = (hex) => {
    const [ip, p] = hex.split(":");
    const octets = ip.match(/../g).map((h) => Number.parseInt(h, 16));
    return { ip: octets.reverse().join("."), port: Number.parseInt(p, 16) };
  };
  const out = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    const local = endpoint(cols[1]);
    const remote = endpoint(cols[2]);
    if (local.port !== port && remote.port !== port) continue;
    const [tx, rx] = cols[4].split(":").map((h) => Number.parseInt(h, 16));
    // States: 01 established, 0A listening, 06 time-wait.
    out.push({ local, remote, state: cols[3], tx, rx, shopSide: local.port === port });
  }
  return out;
}

async function headers(where) {
  const SLOW = Number(process.env.SLOW || 500);
  const IDLE = Number(process.env.IDLE || 1000);
  const TRICKLE_MS = Number(process.env.TRICKLE_MS || 5000);
  const WATCH_S = Number(process.env.WATCH_S || 20);
  const SPREAD = Number(process.env.SPREAD || 20);
  const request = `GET /api/config HTTP/1.1\r\nHost: ${where.hostHeader}\r\nUser-Agent: slow\r\n\r\n`;
  const conns = [];
  let failedToConnect = 0;

  function open(kind, i) {
    return new Promise((resolve) => {
      const c = { kind, opened: 0, closedAt: null, answered: false, sent: 0 };
      const localAddress = `127.0.1.${1 + (i % SPREAD)}`;
      const socket = net.connect({ host: where.host, port: where.port, localAddress });
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

  const t0 = performance.now();
  // Open in batches, so the listen backlog is not what is measured.
  for (let i = 0; i < SLOW + IDLE; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(i + 100, SLOW + IDLE); j++)
      batch.push(open(j < SLOW ? "slow" : "idle", j));
    await Promise.all(batch);
  }
  for (const c of conns) if (c.kind === "slow") trickle(c);
  const openedMs = performance.now() - t0;
  console.log(
    `attempted ${SLOW + IDLE} connections from ${SPREAD} addresses (${SLOW} trickling a byte ` +
      `every ${TRICKLE_MS / 1000} s, ${IDLE} idle): ${conns.length} connected in ` +
      `${openedMs.toFixed(0)} ms, ${failedToConnect} refused`,
  );

  const held = () => conns.filter((c) => c.closedAt === null).length;
  await sleep(1000);
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await fresh(where, "/api/config"));
  const ok = answers
    .filter((a) => a.status === 200)
    .map((a) => a.ms)
    .sort((a, b) => a - b);
  const median = ok.length ? ok[Math.floor(ok.length / 2)] : Number.NaN;
  console.log(
    `fresh client during the attack (${held()} held): ${ok.length}/5 answered 200, ` +
      `median ${ms(median)} ms, max ${ms(ok.at(-1))} ms`,
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
      `-${lifetimes.length ? lifetimes.at(-1).toFixed(1) : "-"} s`,
  );
  console.log(
    `RESULT attempted=${SLOW + IDLE} connected=${conns.length} held_at_${WATCH_S}s=${held()} ` +
      `closed_by_timeout=${closed.length} fresh_median_ms=${ms(median)}`,
  );
  for (const c of conns) {
    clearTimeout(c.timer);
    c.socket.destroy();
  }
}

async function readers(where) {
  const READERS = Number(process.env.READERS || 100);
  const PIPELINE = Number(process.env.PIPELINE || 40);
  const WASM = process.env.WASM || "/pkg/gopay_widget_wasm_bg.wasm";
  const marks = (process.env.READER_MARKS || "5,10,20,70").split(",").map(Number);
  const { status, size } = await new Promise((resolve) => {
    const req = http.get(
      { host: where.host, port: where.port, path: WASM, agent: false },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode, size: Number(res.headers["content-length"]) });
      },
    );
    req.on("error", (e) => resolve({ status: e.message }));
  });
  if (status !== 200) {
    console.log(`readers: GET ${WASM} answered ${status} (run make build first)`);
    return;
  }
  const request = `GET ${WASM} HTTP/1.1\r\nHost: ${where.hostHeader}\r\n\r\n`.repeat(PIPELINE);
  const isReader = (endpoint) => endpoint.ip.startsWith("127.0.2.");

  const clients = [];
  await Promise.all(
    Array.from(
      { length: READERS },
      (_, i) =>
        new Promise((resolve) => {
          const localAddress = `127.0.2.${1 + Math.floor(i / 10)}`;
          const socket = net.connect({ host: where.host, port: where.port, localAddress });
          socket.on("error", () => {});
          socket.on("connect", () => {
            // Never read: node stops taking bytes from the kernel once its small buffer is full.
            socket.pause();
            socket.write(request);
            clients.push({ socket, port: socket.localPort, connected: true, lastSeen: 0 });
            resolve();
          });
          socket.on("close", resolve);
        }),
    ),
  );
  const t0 = performance.now();
  console.log(
    `${clients.length} of ${READERS} clients connected, each pipelining ${PIPELINE} requests for ` +
      `${WASM} (${size} bytes: ${((PIPELINE * size) / 1e6).toFixed(1)} MB asked each) and never reading`,
  );

  // The kernel's view, every 250 ms: a client counts as connected while its socket is established.
  const byPort = new Map(clients.map((c) => [c.port, c]));
  let queued = { shop: 0, clients: 0 };
  const look = () => {
    const now = (performance.now() - t0) / 1000;
    const seen = new Set();
    queued = { shop: 0, clients: 0 };
    for (const s of sockets(where.port)) {
      if (s.shopSide && isReader(s.remote)) queued.shop += s.tx;
      if (!s.shopSide && isReader(s.local)) {
        queued.clients += s.rx;
        if (s.state === "01") seen.add(s.local.port);
      }
    }
    for (const [port, c] of byPort) {
      if (seen.has(port)) c.lastSeen = now;
      else c.connected = false;
    }
  };
  const watcher = setInterval(look, 250);
  look();
  const connected = () => clients.filter((c) => c.connected).length;
  const rows = [];
  for (const s of marks) {
    await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
    look();
    const mb = (queued.shop + queued.clients) / 1e6;
    rows.push(`${s}s=${connected()}`);
    console.log(
      `after ${String(s).padStart(2)} s: ${connected()} of ${clients.length} still connected; ` +
        `${mb.toFixed(1)} MB queued (${(queued.shop / 1e6).toFixed(1)} MB in the shop's send ` +
        `queues, ${(queued.clients / 1e6).toFixed(1)} MB in the clients' receive queues)`,
    );
  }
  clearInterval(watcher);
  const gone = clients
    .filter((c) => !c.connected)
    .map((c) => c.lastSeen)
    .sort((a, b) => a - b);
  console.log(
    `let go by the shop: ${gone.length} of ${clients.length}, after ` +
      `${gone.length ? `${gone[0].toFixed(1)}-${gone.at(-1).toFixed(1)}` : "-"} s`,
  );
  console.log(
    `RESULT readers=${clients.length} connected_${rows.join("_")} ` +
      `queued_mb_at_${marks.at(-1)}s=${((queued.shop + queued.clients) / 1e6).toFixed(1)}`,
  );
  for (const c of clients) c.socket.destroy();
}

async function address(where) {
  const ATTACK = Number(process.env.ATTACK || 4000);
  const FRESH = Number(process.env.FRESH || 200);
  const FRESH_EVERY_MS = Number(process.env.FRESH_EVERY_MS || 25);
  // The attacker has an event loop of its own, so its storm does not delay the fresh client's.
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { host: where.host, port: where.port, count: ATTACK, localAddress: "127.0.0.2" },
  });
  const ask = (message) =>
    new Promise((resolve) => {
      worker.once("message", resolve);
      worker.postMessage(message);
    });
  await new Promise((resolve) => worker.once("message", resolve));
  const attackerHolds = () =>
    sockets(where.port).filter((s) => s.shopSide && s.state === "01" && s.remote.ip === "127.0.0.2")
      .length;
  // Let the storm of re-opened connections build up before the fresh client comes.
  await sleep(2000);
  const ready = await ask("stats");
  const heldBefore = attackerHolds();
  console.log(
    `127.0.0.2 keeps ${ATTACK} connections open, re-opening each as it is closed: ` +
      `${ready.open} open in its view after ${(ready.ms / 1000).toFixed(1)} s, ` +
      `${heldBefore} established at the shop's end`,
  );

  // Spread over the attack rather than all in its first moment.
  const started = performance.now();
  const answers = [];
  for (let i = 0; i < FRESH; i++) {
    await sleep(Math.max(0, started + i * FRESH_EVERY_MS - performance.now()));
    answers.push(await fresh(where, "/api/config", "127.0.0.3"));
  }
  const took = (performance.now() - started) / 1000;
  const heldAfter = attackerHolds();
  const stats = await ask("stop");
  await worker.terminate();
  const ok = answers
    .filter((a) => a.status === 200)
    .map((a) => a.ms)
    .sort((a, b) => a - b);
  const failed = answers.length - ok.length;
  const reasons = [...new Set(answers.filter((a) => a.status !== 200).map((a) => a.status))];
  console.log(
    `fresh client on 127.0.0.3, ${FRESH} requests each on a new connection (${took.toFixed(1)} s): ` +
      `${ok.length} answered 200, p50 ${ms(quantile(ok, 0.5))} ms, p99 ${ms(quantile(ok, 0.99))} ms, ` +
      `max ${ms(ok.at(-1))} ms` +
      (failed ? `; ${failed} failed (${reasons.join(", ")})` : ""),
  );
  const rate = (stats.attempts - ready.attempts) / took;
  console.log(
    `meanwhile 127.0.0.2 made ${stats.attempts - ready.attempts} connection attempts ` +
      `(${rate.toFixed(0)}/s; ${stats.closed} closed by the shop since the start); ` +
      `${heldAfter} established at the shop's end at the last request`,
  );
  console.log(
    `RESULT attack=${ATTACK} held_by_attacker=${heldAfter} attempts_per_s=${rate.toFixed(0)} ` +
      `fresh_ok=${ok.length}/${FRESH} fresh_p50_ms=${ms(quantile(ok, 0.5))} ` +
      `fresh_p99_ms=${ms(quantile(ok, 0.99))} fresh_max_ms=${ms(ok.at(-1))}`,
  );
}

/// The worker's side of the address part: COUNT connections from one address, each opened
/// again as soon as it closes, until told to stop.
function attacker({ host, port, count, localAddress }) {
  const t0 = performance.now();
  const live = new Set();
  let attempts = 0;
  let open = 0;
  let closed = 0;
  let running = true;
  const one = () => {
    if (!running) return;
    attempts += 1;
    const socket = net.connect({ host, port, localAddress });
    live.add(socket);
    let connected = false;
    socket.on("connect", () => {
      connected = true;
      open += 1;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      live.delete(socket);
      if (connected) open -= 1;
      if (!running) return;
      closed += 1;
      setImmediate(one);
    });
  };
  for (let i = 0; i < count; i++) one();
  // Ready once every first attempt has connected or been closed, or after 5 s.
  const ready = setInterval(() => {
    if (open + closed >= count || performance.now() - t0 > 5000) {
      clearInterval(ready);
      parentPort.postMessage("ready");
    }
  }, 50);
  parentPort.on("message", (message) => {
    const stats = { attempts, open, closed, ms: performance.now() - t0 };
    if (message === "stop") {
      running = false;
      for (const socket of live) socket.destroy();
    }
    parentPort.postMessage(stats);
  });
}
