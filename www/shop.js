// The demo shop page: lists the products and creates an order on the shop backend. The payment
// page is /?order=... (also where the GoPay app returns, ?order_id=...&result=...): the shop
// renders the widget into it on the server, so the QR or the Open GoPay link shows at first
// paint, and the widget package takes it over when it loads. Without a server-rendered widget
// (an unknown order, say) the page mounts one itself with mount().

const el = (id) => document.getElementById(id);
const ui = {
  catalogue: el("catalogue"),
  products: el("products"),
  shopError: el("shop-error"),
  device: el("device"),
  deviceAuto: el("device-auto"),
  locale: el("locale"),
  checkout: el("checkout"),
  summary: el("summary"),
  widget: el("widget"),
  message: el("message"),
  simulatorHelp: el("simulator-help"),
  simulatorLink: el("simulator-link"),
  back: el("back"),
};

const DEVICES = ["phone", "tablet", "desktop"];
const params = new URLSearchParams(location.search);
let config = null;
let handle = null;
let currentCharge = null;

/**
 * The device to pay on: the shopper's choice, or the shop backend's reading of this browser
 * (the widget's own device rule, from the request's User-Agent and client hints). The
 * backend picks the payment type from it: GoPay's deeplink for a phone, QRIS for the rest.
 */
function chosenDevice() {
  if (ui.device.value !== "auto") return ui.device.value;
  return config && DEVICES.includes(config.device) ? config.device : "desktop";
}

function chosenLocale() {
  return ui.locale.value === "id" ? "id" : "en";
}

function rupiah(amount) {
  const tag = chosenLocale() === "id" ? "id-ID" : "en-US";
  return new Intl.NumberFormat(tag, {
    style: "currency",
    currency: "IDR",
    maximumFractionDigits: 0,
  }).format(Number(amount));
}

function showMessage(text, kind) {
  ui.message.textContent = text;
  ui.message.hidden = !text;
  ui.message.className = `message ${kind || ""}`.trim();
  if (kind) ui.message.dataset.outcome = kind;
  else delete ui.message.dataset.outcome;
}

/**
 * The page's message for the widget's state. The widget reflects its state on the host
 * element (`data-state`), also when a reload shows an order that is already finished.
 */
function showOutcome(state) {
  const orderId = currentCharge ? currentCharge.order_id : "";
  const status = ui.widget.dataset.transactionStatus || "";
  if (state === "success") {
    showMessage(`Payment received, terima kasih! Order ${orderId} is paid.`, "success");
  } else if (state === "failure") {
    const why = status && status !== "pending" ? ` (${status})` : "";
    showMessage(`The payment did not go through${why}. You can order again.`, "failure");
  } else if (state === "expire") {
    showMessage("The time to pay ran out. Order again for a new QR code.", "expire");
  } else if (state === "reversed") {
    showMessage(
      `Order ${orderId} was paid, then ${status.replace("_", " ") || "reversed"}.`,
      "reversed",
    );
  }
}

new MutationObserver(() => showOutcome(ui.widget.dataset.state)).observe(ui.widget, {
  attributes: true,
  attributeFilter: ["data-state"],
});

function showShopError(text) {
  ui.shopError.textContent = text;
  ui.shopError.hidden = !text;
}

function setBusy(busy) {
  for (const button of ui.products.querySelectorAll("button")) button.disabled = busy;
  ui.products.setAttribute("aria-busy", String(busy));
}

function renderProducts() {
  ui.products.replaceChildren();
  for (const product of config.products) {
    const item = document.createElement("li");
    item.className = "product";
    item.dataset.productId = product.id;

    const art = document.createElement("div");
    art.className = "art";
    art.setAttribute("aria-hidden", "true");
    art.textContent = product.emoji;

    const name = document.createElement("h3");
    name.textContent = product.name;
    const description = document.createElement("p");
    description.className = "description";
    description.textContent = product.description;
    const price = document.createElement("p");
    price.className = "price";
    price.textContent = rupiah(product.price);

    const quantityLabel = document.createElement("label");
    quantityLabel.className = "quantity";
    quantityLabel.textContent = "Qty ";
    const quantity = document.createElement("select");
    for (let n = 1; n <= 5; n += 1) quantity.add(new Option(String(n), String(n)));
    quantityLabel.append(quantity);

    const buy = document.createElement("button");
    buy.type = "button";
    buy.className = "buy";
    buy.textContent = "Buy with GoPay";
    buy.setAttribute("aria-label", `Buy ${product.name} with GoPay`);
    buy.addEventListener("click", () => order(product, Number(quantity.value)));

    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(quantityLabel, buy);
    item.append(art, name, description, price, actions);
    ui.products.append(item);
  }
  ui.products.setAttribute("aria-busy", "false");
}

const UNREACHABLE = "The shop could not be reached. Is it still running?";

/**
 * Asks the shop backend for a charge at `url` (a new order, or a failed one ordered again):
 * `{ charge }`, `{ unreachable: true }`, or `{ reason }` when the shop answered with an error.
 */
async function createOrder(url, request) {
  let response;
  let body = null;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    body = await response.json().catch(() => null);
  } catch {
    return { unreachable: true };
  }
  if (!response.ok || !body || body.status_code !== "201") {
    return { reason: body?.status_message || `HTTP ${response.status}` };
  }
  return { charge: body };
}

async function order(product, qty) {
  setBusy(true);
  showShopError("");
  const cart = { items: [{ id: product.id, qty }], device: chosenDevice() };
  const { charge, unreachable, reason } = await createOrder("/api/orders", cart);
  setBusy(false);
  if (!charge) {
    showShopError(unreachable ? UNREACHABLE : `The payment could not be created: ${reason}`);
    return;
  }
  // The payment page, rendered by the shop with the widget in it.
  location.assign(paymentPage(charge.order_id));
}

/**
 * "Get a new QR" (the widget's `gopay-retry`, after a failure or an expiry): the shop orders
 * the same lines again, and the new charge is handed to the same widget, which starts over
 * with it.
 */
async function retry(orderId) {
  const url = `/api/orders/${encodeURIComponent(orderId)}/retry`;
  const { charge: body, unreachable, reason } = await createOrder(url, {});
  if (!body) {
    showMessage(
      unreachable ? UNREACHABLE : `A new payment could not be created: ${reason}`,
      "error",
    );
    return;
  }
  history.replaceState(null, "", paymentPage(body.order_id));
  delete ui.widget.dataset.transactionStatus;
  showMessage("");
  if (rendered) {
    currentCharge = body;
    ui.summary.textContent = `Order ${body.order_id} · ${rupiah(body.gross_amount)}`;
    // A new data-charge starts a new transaction in the same element.
    rendered.dataset.charge = JSON.stringify(body);
  } else {
    await checkout(body);
  }
}

/** The server-rendered payment page of an order, in this page's language and device choice. */
function paymentPage(orderId) {
  const query = new URLSearchParams({ order: orderId, lang: chosenLocale() });
  if (ui.device.value !== "auto") query.set("device", ui.device.value);
  return `/?${query}`;
}

/** The widget the shop rendered into the page, if any: it is taken over, not mounted again. */
const rendered = ui.widget.localName === "gopay-widget" ? ui.widget : null;

/**
 * The payment page's own copy of the package (a module script of the page, under a name that
 * changes with its content), else the package folder.
 */
const packageUrl = document.querySelector("script[data-gopay-package]")?.src || "/pkg/index.js";

// The rendered widget's events are heard from the start: the package, a module script after
// this one, takes the element over as soon as it runs.
if (rendered) {
  rendered.addEventListener("gopay-status", (e) => {
    rendered.dataset.transactionStatus = e.detail.transaction_status;
  });
  rendered.addEventListener("gopay-failure", (e) => {
    rendered.dataset.transactionStatus = e.detail.transaction_status;
    showOutcome("failure");
  });
  rendered.addEventListener("gopay-error", (e) =>
    showMessage(`The payment widget stopped: ${e.detail.message}`, "error"),
  );
  rendered.addEventListener("gopay-retry", (e) => retry(e.detail.order_id));
}

async function takeOver() {
  currentCharge = JSON.parse(rendered.dataset.charge);
  if (config?.simulator_url) {
    ui.simulatorLink.href = config.simulator_url;
    ui.simulatorHelp.hidden = false;
  }
  try {
    // The same module the page loaded (or loads), not a second copy.
    await import(packageUrl);
  } catch {
    showMessage(
      "The widget package is not built yet (no /pkg/index.js). Build it, then reload this page.",
      "error",
    );
  }
  showOutcome(rendered.dataset.state);
}

function widgetMode(charge) {
  // An explicit choice in the page wins over the widget's own device guess.
  if (ui.device.value === "auto" || charge.payment_type !== "gopay") return "auto";
  return chosenDevice() === "phone" ? "deeplink" : "qr";
}

async function checkout(charge) {
  currentCharge = charge;
  ui.catalogue.hidden = true;
  ui.checkout.hidden = false;
  ui.summary.textContent = `Order ${charge.order_id} · ${rupiah(charge.gross_amount)}`;
  showMessage("");
  if (config?.simulator_url) {
    ui.simulatorLink.href = config.simulator_url;
    ui.simulatorHelp.hidden = false;
  }
  let widget;
  try {
    widget = await import("/pkg/index.js");
  } catch {
    showMessage(
      "The widget package is not built yet (no /pkg/index.js). Build it, then reload this page.",
      "error",
    );
    return;
  }
  if (handle) handle.destroy();
  handle = null;
  try {
    handle = await widget.mount(ui.widget, {
      charge,
      statusUrl: "/api/orders/{order_id}/status",
      environment: config?.environment || "sandbox",
      locale: chosenLocale(),
      mode: widgetMode(charge),
      onStatus: (detail) => {
        ui.widget.dataset.transactionStatus = detail.transaction_status;
      },
      onSuccess: () => showOutcome("success"),
      onFailure: (detail) => {
        ui.widget.dataset.transactionStatus = detail.transaction_status;
        showOutcome("failure");
      },
      onExpire: () => showOutcome("expire"),
      onError: (detail) => showMessage(`The payment widget stopped: ${detail.message}`, "error"),
      onRetry: (detail) => retry(detail.order_id),
    });
  } catch (error) {
    showMessage(`The payment widget could not start: ${error.message || error}`, "error");
  }
}

async function resume(orderId) {
  let response;
  try {
    response = await fetch(`/api/orders/${encodeURIComponent(orderId)}`);
  } catch {
    showShopError(UNREACHABLE);
    return;
  }
  if (!response.ok) {
    showShopError(`Order ${orderId} was not found.`);
    history.replaceState(null, "", "/");
    return;
  }
  await checkout(await response.json());
}

function backToShop() {
  if (rendered) {
    location.assign("/");
    return;
  }
  if (handle) handle.destroy();
  handle = null;
  currentCharge = null;
  delete ui.widget.dataset.transactionStatus;
  ui.checkout.hidden = true;
  ui.catalogue.hidden = false;
  showMessage("");
  history.replaceState(null, "", "/");
}

async function start() {
  const askedDevice = params.get("device");
  if (DEVICES.includes(askedDevice)) ui.device.value = askedDevice;
  const askedLocale = params.get("lang") || localStorage.getItem("shop-locale");
  ui.locale.value = askedLocale === "id" ? "id" : "en";

  ui.back.addEventListener("click", backToShop);
  ui.locale.addEventListener("change", () => {
    localStorage.setItem("shop-locale", chosenLocale());
    if (rendered) {
      location.assign(paymentPage(currentCharge.order_id));
      return;
    }
    if (config) renderProducts();
    if (currentCharge) checkout(currentCharge);
  });

  try {
    const response = await fetch("/api/config");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = await response.json();
  } catch (error) {
    showShopError(`The shop backend is not answering (${error.message}).`);
    return;
  }
  ui.deviceAuto.textContent = `this device (${DEVICES.includes(config.device) ? config.device : "desktop"})`;
  renderProducts();
  if (rendered) return takeOver();

  // order_id: back from the GoPay app; order: a reload of the checkout.
  const orderId = params.get("order_id") || params.get("order");
  if (orderId) await resume(orderId);
}

start();
