// The official Midtrans Node SDK (npm midtrans-client, pinned in package.json) against the
// local simulator: the real binary on a free loopback port, its notifications posted to a
// server of this test. Each call must answer as Midtrans' docs say, each notification the
// simulator delivered must verify with the server key, and the SDK's notification helper
// (which asks the status API) must agree with it. Prints one line per call at the end.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import midtransClient from "midtrans-client";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SIMULATOR = path.join(ROOT, "target", "debug", "gopay-simulator");
const SERVER_KEY = `SB-Mid-server-SDK-${crypto.randomBytes(6).toString("hex")}`;
const RUN = crypto.randomBytes(3).toString("hex");

let simulator;
let simUrl;
let merchant;
const notifications = [];
const calls = [];

// ---------------------------------------------------------------------------------------------
// The simulator and the merchant's notification endpoint

/** Starts the simulator on a free port and resolves with the base URL it prints. */
function startSimulator(notifyUrl) {
  if (!fs.existsSync(SIMULATOR)) {
    throw new Error(`${SIMULATOR} is missing: run cargo build -p gopay-simulator first`);
  }
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(MIDTRANS_|SIMULATOR_)/.test(name)) env[name] = value;
  }
  const child = spawn(SIMULATOR, [], {
    env: {
      ...env,
      SIMULATOR_ADDR: "127.0.0.1:0",
      SIMULATOR_NOTIFY_URL: notifyUrl,
      MIDTRANS_SERVER_KEY: SERVER_KEY,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`simulator did not start:\n${output}`)),
      10_000,
    );
    const read = (chunk) => {
      output += chunk;
      const url = /Midtrans simulator: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: url[1] });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}):\n${output}`));
    });
  });
}

/** Records every notification and answers 200, as a merchant that took it. */
function startMerchant() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      notifications.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

before(async () => {
  merchant = await startMerchant();
  const notifyUrl = `http://127.0.0.1:${merchant.address().port}/notification`;
  const started = await startSimulator(notifyUrl);
  simulator = started.child;
  simUrl = started.url;
});

after(() => {
  simulator?.removeAllListeners("exit");
  simulator?.kill("SIGTERM");
  merchant?.close();
  const width = Math.max(...calls.map((c) => c.call.length));
  console.log(`\nmidtrans-client against the simulator (${calls.length} calls)`);
  console.log(`${"call".padEnd(width)}  HTTP  status_code  transaction_status  ok`);
  for (const c of calls) {
    console.log(
      `${c.call.padEnd(width)}  ${String(c.http).padEnd(4)}  ${String(c.code).padEnd(11)}  ` +
        `${String(c.status).padEnd(18)}  ${c.ok ? "ok" : "FAILED"}`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// The SDK, pointed at the simulator

/** A CoreApi whose base URL is the simulator's, and which remembers each answer's HTTP status. */
function coreApi(serverKey = SERVER_KEY) {
  const core = new midtransClient.CoreApi({ isProduction: false, serverKey, clientKey: "" });
  // Both base URLs are constants of the SDK; its config reads them through this method.
  core.apiConfig.getCoreApiBaseUrl = () => simUrl;
  core.httpClient.http_client.interceptors.response.use(
    (response) => {
      core.lastHttp = response.status;
      return response;
    },
    (error) => {
      core.lastHttp = error.response?.status;
      throw error;
    },
  );
  return core;
}

/** Runs one SDK call, checks its answer with `check` and records a line of the table. */
async function call(core, name, run, check) {
  const line = { call: name, http: "-", code: "-", status: "-", ok: false };
  calls.push(line);
  core.lastHttp = undefined;
  let answer;
  try {
    answer = await run();
  } catch (error) {
    line.http = core.lastHttp ?? "-";
    line.code = error.ApiResponse?.status_code ?? "-";
    if (!(error instanceof midtransClient.MidtransError)) throw error;
    check(error);
    line.ok = true;
    return error;
  }
  line.http = core.lastHttp;
  line.code = answer.status_code;
  line.status = answer.transaction_status ?? "-";
  check(answer);
  line.ok = true;
  return answer;
}

/** A call that must fail with Midtrans' error JSON of this HTTP status and status_code. */
function midtransError(http, message) {
  return (error) => {
    assert.ok(error instanceof midtransClient.MidtransError, String(error));
    assert.equal(error.httpStatusCode, http);
    assert.equal(error.ApiResponse.status_code, String(http));
    assert.equal(error.ApiResponse.status_message, message);
    assert.match(error.ApiResponse.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-/);
  };
}

function signature(body, key = SERVER_KEY) {
  return crypto
    .createHash("sha512")
    .update(`${body.order_id}${body.status_code}${body.gross_amount}${key}`)
    .digest("hex");
}

function assertSigned(body) {
  assert.equal(body.signature_key, signature(body), JSON.stringify(body));
}

const statuses = (id) =>
  notifications.filter((n) => n.order_id === id).map((n) => n.transaction_status);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The notification of `orderId` with `status`, once delivered. */
async function delivered(orderId, status, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = notifications.find(
      (n) => n.order_id === orderId && n.transaction_status === status,
    );
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = notifications.filter((n) => n.order_id === orderId);
      throw new Error(`no ${status} notification for ${orderId}; got ${JSON.stringify(seen)}`);
    }
    await sleep(25);
  }
}

/**
 * Waits for the notification, checks its signature and code, and hands it to the SDK's
 * notification helper, whose status API answer must say the same.
 */
async function notified(core, orderId, status, code, statusApiCode = code) {
  const body = await delivered(orderId, status);
  assert.equal(body.status_code, code, JSON.stringify(body));
  assert.equal(body.status_message, "midtrans payment notification");
  assertSigned(body);
  await call(
    core,
    `transaction.notification(${status})`,
    () => core.transaction.notification(body),
    (answer) => {
      assert.equal(answer.transaction_status, status);
      assert.equal(answer.status_code, statusApiCode);
      assert.equal(answer.order_id, orderId);
      assert.equal(answer.transaction_id, body.transaction_id);
      assertSigned(answer);
    },
  );
  return body;
}

async function pay(orderId) {
  const response = await fetch(`${simUrl}/simulator/transactions/${orderId}/pay`, {
    method: "POST",
  });
  assert.equal(response.status, 200, await response.text());
}

const orderId = (tag) => `SDK-NODE-${RUN}-${tag}`;

function gopayCharge(id, amount) {
  return {
    payment_type: "gopay",
    transaction_details: { order_id: id, gross_amount: amount },
    item_details: [{ id: "tee", price: amount, quantity: 1, name: "Batik tee" }],
    customer_details: { first_name: "Budi", email: "budi@example.com" },
    gopay: { enable_callback: true, callback_url: "https://shop.example/return" },
  };
}

function qrisCharge(id, amount) {
  return {
    payment_type: "qris",
    transaction_details: { order_id: id, gross_amount: amount },
    qris: { acquirer: "gopay" },
  };
}

function pendingCharge(kind) {
  return (answer) => {
    assert.equal(answer.status_code, "201");
    assert.equal(answer.transaction_status, "pending");
    assert.equal(answer.payment_type, kind);
    assert.equal(answer.fraud_status, "accept");
    assert.match(answer.gross_amount, /^\d+\.00$/);
    assert.match(answer.transaction_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(answer.expiry_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  };
}

// ---------------------------------------------------------------------------------------------
// The calls

test("a GoPay charge, its status by order id, and a cancel", async () => {
  const core = coreApi();
  const id = orderId("gopay");
  const charge = await call(
    core,
    "charge(gopay)",
    () => core.charge(gopayCharge(id, 25_000)),
    (answer) => {
      pendingCharge("gopay")(answer);
      assert.equal(answer.status_message, "GoPay transaction is created");
      assert.equal(answer.channel_response_code, "200");
      assert.equal(answer.channel_response_message, "Success");
      const names = answer.actions.map((a) => a.name);
      for (const name of ["generate-qr-code", "deeplink-redirect", "get-status", "cancel"]) {
        assert.ok(names.includes(name), `${name} in ${names}`);
      }
    },
  );
  await notified(core, id, "pending", "201");

  await call(
    core,
    "transaction.status(order_id)",
    () => core.transaction.status(id),
    (answer) => {
      assert.equal(answer.status_code, "201");
      assert.equal(answer.transaction_status, "pending");
      assert.equal(answer.transaction_id, charge.transaction_id);
      assertSigned(answer);
    },
  );

  await call(
    core,
    "transaction.cancel",
    () => core.transaction.cancel(id),
    (answer) => {
      assert.equal(answer.status_code, "200");
      assert.equal(answer.transaction_status, "cancel");
      assert.equal(answer.order_id, id);
    },
  );
  // Midtrans signs a cancel with 200.
  await notified(core, id, "cancel", "200");

  await call(
    core,
    "transaction.expire(cancelled)",
    () => core.transaction.expire(id),
    midtransError(412, "Merchant cannot modify the status of the transaction"),
  );
  assert.deepEqual(statuses(id), ["pending", "cancel"]);
});

test("a QRIS charge, its status by transaction id, and an expire", async () => {
  const core = coreApi();
  const id = orderId("qris");
  const charge = await call(
    core,
    "charge(qris)",
    () => core.charge(qrisCharge(id, 789_000)),
    (answer) => {
      pendingCharge("qris")(answer);
      assert.equal(answer.status_message, "QRIS transaction is created");
      assert.equal(answer.acquirer, "gopay");
      assert.match(answer.qr_string, /^000201/);
      assert.ok(answer.qr_string.includes("5409789000.00"), answer.qr_string);
      assert.deepEqual(
        answer.actions.map((a) => a.name),
        ["generate-qr-code"],
      );
    },
  );
  await notified(core, id, "pending", "201");

  await call(
    core,
    "transaction.status(transaction_id)",
    () => core.transaction.status(charge.transaction_id),
    (answer) => {
      assert.equal(answer.status_code, "201");
      assert.equal(answer.order_id, id);
      assert.equal(answer.acquirer, "gopay");
      assertSigned(answer);
    },
  );

  // Midtrans answers an expire with status code 407, which the SDK takes as a success.
  await call(
    core,
    "transaction.expire",
    () => core.transaction.expire(charge.transaction_id),
    (answer) => {
      assert.equal(core.lastHttp, 200);
      assert.equal(answer.status_code, "407");
      assert.equal(answer.status_message, "Success, transaction has expired");
      assert.equal(answer.transaction_status, "expire");
      assert.equal(answer.gross_amount, "789000.00");
    },
  );
  await notified(core, id, "expire", "202", "407");
  assert.deepEqual(statuses(id), ["pending", "expire"]);
});

test("a refund in two parts after a payment", async () => {
  const core = coreApi();
  const id = orderId("refund");
  await call(
    core,
    "charge(qris)",
    () => core.charge(qrisCharge(id, 50_000)),
    pendingCharge("qris"),
  );
  await notified(core, id, "pending", "201");
  await pay(id);
  const settlement = await notified(core, id, "settlement", "200");
  assert.match(settlement.settlement_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

  await call(
    core,
    "transaction.refund(part)",
    () =>
      core.transaction.refund(id, {
        refund_key: `${id}-r1`,
        amount: 20_000,
        reason: "one item out of stock",
      }),
    (answer) => {
      assert.equal(answer.status_code, "200");
      assert.equal(answer.transaction_status, "partial_refund");
      assert.equal(answer.refund_amount, "20000.00");
      assert.equal(answer.refund_key, `${id}-r1`);
    },
  );
  const partial = await notified(core, id, "partial_refund", "200");
  assert.equal(
    partial.signature_key,
    settlement.signature_key,
    "a refund is signed like a payment",
  );

  await call(
    core,
    "transaction.refund(rest)",
    () => core.transaction.refund(id, { refund_key: `${id}-r2` }),
    (answer) => {
      assert.equal(answer.transaction_status, "refund");
      assert.equal(answer.refund_amount, "30000.00");
    },
  );
  await notified(core, id, "refund", "200");
  await call(
    core,
    "transaction.refund(nothing left)",
    () => core.transaction.refund(id, { amount: 1 }),
    midtransError(412, "Merchant cannot modify the status of the transaction"),
  );
  assert.deepEqual(statuses(id), ["pending", "settlement", "partial_refund", "refund"]);
});

test("errors come back as Midtrans errors", async () => {
  const core = coreApi();
  await call(
    core,
    "transaction.status(unknown)",
    () => core.transaction.status(orderId("nobody")),
    midtransError(404, "Transaction doesn't exist."),
  );
  await call(
    core,
    "transaction.expire(unknown)",
    () => core.transaction.expire(orderId("nobody")),
    midtransError(404, "Transaction doesn't exist."),
  );
  const stranger = coreApi("SB-Mid-server-NOT-THIS-ONE");
  await call(
    stranger,
    "charge(wrong server key)",
    () => stranger.charge(qrisCharge(orderId("stranger"), 1_000)),
    midtransError(401, "Transaction cannot be authorized with the current client/server key."),
  );
  const id = orderId("twice");
  await call(core, "charge(qris)", () => core.charge(qrisCharge(id, 1_000)), pendingCharge("qris"));
  // The first charge stands: its pending notification, signed.
  assertSigned(await delivered(id, "pending"));
  await call(
    core,
    "charge(same order_id)",
    () => core.charge(qrisCharge(id, 1_000)),
    midtransError(
      406,
      "The request could not be completed due to a conflict with the current state of the " +
        "target resource, please try again",
    ),
  );
  // The SDK's own HTTP client on paths and methods Midtrans has no endpoint for.
  await call(
    core,
    "GET /v2/charge",
    () => core.httpClient.request("get", SERVER_KEY, `${simUrl}/v2/charge`),
    midtransError(405, "HTTP method is not allowed"),
  );
  await call(
    core,
    "POST /v2/{id}/unknown",
    () => core.httpClient.request("post", SERVER_KEY, `${simUrl}/v2/${id}/unknown`),
    midtransError(404, "The requested resource is not found"),
  );
});
