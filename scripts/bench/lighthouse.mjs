// Lighthouse (pinned in package.json) on one page: Debian's Chromium started afresh with the
// browser tests' flags, the mobile form factor, and applied throttling (`devtools`: the page
// really runs on a slowed CPU and network, rather than a fast load being simulated slower).
// With Chromium 156 a few of Lighthouse's trace audits may fail while its metrics are fine:
// what is there is reported, and what failed is named.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";

/** Starts Chromium with a debugging port and an empty profile; resolves its port and `stop`. */
function startChromium(executable, args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "bench-lighthouse-"));
  const child = spawn(
    executable,
    [...args, "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
    // Chromium's helper processes may still be writing the profile when the browser has
    // exited (ENOTEMPTY): retried, and a profile left behind does not fail the measurement.
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (e) {
      console.error(`note: ${profile} left behind (${e.code ?? e.message})`);
    }
  };
  return new Promise((resolve, reject) => {
    let said = "";
    const timer = setTimeout(
      () => fail(new Error("Chromium gave no debugging port in 30 s")),
      30_000,
    );
    const fail = (error) => {
      clearTimeout(timer);
      stop().then(() => reject(error));
    };
    child.once("error", fail);
    child.once("exit", (code) =>
      fail(new Error(`Chromium exited (${code}): ${said.slice(-2000)}`)),
    );
    child.stderr.on("data", (chunk) => {
      said += chunk;
      const port = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(said)?.[1];
      if (port) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stderr.removeAllListeners("data");
        child.stderr.resume();
        resolve({ port: Number(port), stop });
      }
    });
  });
}

/**
 * Bytes of each response's body as it crossed the wire, from the run's DevTools log: what
 * loading it took in all, less its headers (Chromium counts the headers of an HTTP/1.1
 * response in the length it gives with the response).
 */
function bodiesOnTheWire(devtoolsLog) {
  const responses = new Map();
  for (const { method, params } of devtoolsLog) {
    if (method === "Network.responseReceived")
      responses.set(params.requestId, {
        url: params.response.url,
        status: params.response.status,
        headers: params.response.encodedDataLength,
      });
    else if (method === "Network.loadingFinished" && responses.has(params.requestId)) {
      const response = responses.get(params.requestId);
      response.transfer = params.encodedDataLength;
    }
  }
  return [...responses.values()]
    .filter((r) => r.transfer !== undefined && /^https?:/.test(r.url))
    .map((r) => ({ ...r, body: r.transfer - r.headers }));
}

const numeric = (lhr, id) => {
  const audit = lhr.audits[id];
  return typeof audit?.numericValue === "number" ? audit.numericValue : null;
};

/** What Lighthouse names as the LCP element, or why it names none. */
function lcpElement(lhr) {
  const metric = lhr.audits["largest-contentful-paint"];
  if (metric?.errorMessage) return `n/a (no LCP: ${metric.errorMessage.split("\n")[0]})`;
  const audit = lhr.audits["largest-contentful-paint-element"];
  if (!audit) return "n/a (no such audit)";
  if (audit.errorMessage) return `n/a (audit error: ${audit.errorMessage.split("\n")[0]})`;
  const tables = audit.details?.items ?? [];
  for (const table of tables)
    for (const item of table.items ?? [])
      if (item.node)
        return `${item.node.nodeLabel ?? ""} [${item.node.selector ?? item.node.snippet}]`;
  return "n/a (none reported)";
}

/**
 * Runs Lighthouse `runs` times on `url`; each run with a fresh browser. Returns each run's
 * score (0-100), FCP, LCP, TBT (ms), total transfer (bytes, headers included), LCP element,
 * the audits that failed, and the responses' bodies as they crossed the wire.
 */
export async function audit(url, { executable, args, runs = 1 }) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const chromium = await startChromium(executable, args);
    try {
      const result = await lighthouse(url, {
        port: chromium.port,
        hostname: "127.0.0.1",
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance"],
        formFactor: "mobile",
        throttlingMethod: "devtools",
      });
      if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
      const { lhr, artifacts } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
      const score = lhr.categories.performance.score;
      results.push({
        score: typeof score === "number" ? Math.round(score * 100) : null,
        fcp: numeric(lhr, "first-contentful-paint"),
        lcp: numeric(lhr, "largest-contentful-paint"),
        tbt: numeric(lhr, "total-blocking-time"),
        transfer: numeric(lhr, "total-byte-weight"),
        lcpElement: lcpElement(lhr),
        failed: Object.values(lhr.audits)
          .filter((a) => a.errorMessage)
          .map((a) => a.id),
        bodies: bodiesOnTheWire(artifacts.DevtoolsLog ?? []),
        userAgent: lhr.environment?.networkUserAgent,
      });
    } finally {
      await chromium.stop();
    }
  }
  return results;
}
