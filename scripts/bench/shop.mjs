// The demo shop and the local Midtrans simulator for the browser bench: the optimised builds
// (the "native" profile, as scripts/bench-load.sh runs them), each on a free loopback port, with
// a database of their own, and orders placed through the shop's API as its page places them.

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../tests/browser/harness.mjs";

const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || "target", "native");

/** A port nothing listens on now (the kernel's pick, released for the server to take). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds and starts the simulator and the shop serving `pkg`. Charges last `expirySeconds`
 * (the run outlasts Midtrans' 15 minutes). Returns the shop's URL, its widget environment,
 * `order(device)` (the charge response as the shop answers it) and `stop()`.
 */
export async function startShop({ pkg, expirySeconds = 7200 }) {
  execFileSync(
    "cargo",
    ["build", "--profile", "native", "-q", "-p", "gopay-demo", "-p", "gopay-simulator"],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-shop-"));
  const [shopPort, simulatorPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${shopPort}`;
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  const children = [];
  const start = (binary, env) => {
    const log = fs.openSync(path.join(work, `${binary}.log`), "w");
    const child = spawn(path.join(TARGET, binary), [], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    children.push(child);
  };
  // Killed with this process too, whatever ends it.
  const kill = () => {
    for (const child of children) if (child.exitCode === null) child.kill();
  };
  process.once("exit", kill);
  start("gopay-simulator", {
    SIMULATOR_ADDR: `127.0.0.1:${simulatorPort}`,
    SIMULATOR_NOTIFY_URL: `${url}/api/midtrans/notification`,
  });
  start("gopay-demo", {
    SHOP_ADDR: `127.0.0.1:${shopPort}`,
    MIDTRANS_BASE_URL: simulatorUrl,
    SHOP_DB: path.join(work, "shop.db"),
    SHOP_PKG_DIR: pkg,
    SHOP_WWW_DIR: path.join(ROOT, "www"),
    EXPIRY_SECONDS: String(expirySeconds),
  });
  const stop = async () => {
    kill();
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null
          ? new Promise((resolve) => c.once("exit", resolve))
          : null,
      ),
    );
    process.removeListener("exit", kill);
    fs.rmSync(work, { recursive: true, force: true });
  };

  let config;
  for (let i = 0; i < 150 && !config && children.every((c) => c.exitCode === null); i++) {
    try {
      const [shop, simulator] = await Promise.all([
        fetch(`${url}/api/config`),
        fetch(simulatorUrl),
      ]);
      if (shop.ok && simulator.ok) config = await shop.json();
    } catch {
      // Not listening yet.
    }
    if (!config) await sleep(100);
  }
  if (!config) {
    const logs = ["gopay-simulator", "gopay-demo"]
      .map((b) => fs.readFileSync(path.join(work, `${b}.log`), "utf8"))
      .join("\n");
    await stop();
    throw new Error(`the shop or the simulator did not start:\n${logs}`);
  }

  /** Places an order for one product; the shop charges `qris` for a computer, `gopay` for a phone. */
  const order = async (device) => {
    const response = await fetch(`${url}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: [{ id: config.products[0].id, qty: 1 }], device }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`order for a ${device}: ${response.status} ${text}`);
    return { text, charge: JSON.parse(text) };
  };

  return { url, environment: config.environment, order, stop };
}
