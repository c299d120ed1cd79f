// A shop page: asks its backend for the charge, shows it in a <gopay-widget> element and in a
// second widget through mount(), and reacts to the typed events and callbacks.
import { type GopayStatusDetail, type MidtransCharge, mount } from "gopay-widget";

interface Seen {
  source: "element" | "mount";
  type: string;
  order_id: string;
  transaction_status: string;
}

declare global {
  interface Window {
    shopLog: Seen[];
    shopReady: Promise<void>;
  }
}

const api = new URLSearchParams(location.search).get("api") ?? "";
const log: Seen[] = [];
window.shopLog = log;

// HTMLElementTagNameMap gives the element type, and its event map gives each event's detail.
const found = document.querySelector("gopay-widget");
if (!found) throw new Error("no <gopay-widget> in the page");
// A const of the narrowed type, so start() below needs no non-null assertion.
const element = found;
element.addEventListener("gopay-status", (e) => {
  log.push({
    source: "element",
    type: e.type,
    order_id: e.detail.order_id,
    transaction_status: e.detail.transaction_status,
  });
});
element.addEventListener("gopay-success", (e) => {
  log.push({
    source: "element",
    type: e.type,
    order_id: e.detail.order_id,
    transaction_status: e.detail.transaction_status,
  });
  const result = document.getElementById("result");
  if (result) result.textContent = `Paid: ${e.detail.order_id}`;
});
element.addEventListener("gopay-error", (e) => {
  log.push({
    source: "element",
    type: e.type,
    order_id: e.detail.order_id ?? "",
    transaction_status: e.detail.code,
  });
});

function record(type: string) {
  return (detail: GopayStatusDetail) =>
    log.push({
      source: "mount",
      type,
      order_id: detail.order_id,
      transaction_status: detail.transaction_status,
    });
}

async function start(): Promise<void> {
  const response = await fetch(`${api}/charge`);
  const charge = (await response.json()) as MidtransCharge;
  const statusUrl = `${api}/status?order_id={order_id}`;
  element.setAttribute("data-status-url", statusUrl);
  element.setAttribute("data-charge", JSON.stringify(charge));

  const host = document.getElementById("mounted");
  if (!host) throw new Error("no #mounted");
  await mount(host, {
    charge: { ...charge, order_id: `${charge.order_id}-m` },
    statusUrl,
    locale: "id",
    mode: "qr",
    onStatus: record("status"),
    onSuccess: record("success"),
    onError: (detail) =>
      log.push({ source: "mount", type: "error", order_id: "", transaction_status: detail.code }),
  });
}

window.shopReady = start();
