// gopay-widget/pure: mount() and define() with no side effect on import. Nothing runs until
// the page calls one: the wasm loads on the first mount, define() registers <gopay-widget>.
// The main entry (index.js) is this module, define() and the [data-gopay-widget] observer;
// it imports this very file, so both entries share one WebAssembly instance.
import init, { mountWidget, useQrModule } from "./gopay_widget_wasm.js";
import css from "./widget-css.js";

/** @type {Promise<unknown> | undefined} */
let ready;
/** @type {CSSStyleSheet | undefined} */
let sheet;

/** The widget's stylesheet, one for every widget on the page (the wasm carries none). */
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

/** @typedef {(payload: string) => [number, string] | undefined} Draw */
/** @type {Promise<Draw> | undefined} */
let qrModule;

/**
 * The QR module (the widget's QR encoder alone, a small wasm module of its own): fetched and
 * instantiated once, and its drawing function handed to the widget's module.
 */
function loadQrModule() {
  qrModule ??= fetch(new URL("./gopay_widget_qr.wasm", import.meta.url))
    .then((response) => {
      if (!response.ok) throw new Error(`failed to fetch the QR module: ${response.status}`);
      return response.arrayBuffer();
    })
    .then((bytes) => WebAssembly.instantiate(bytes))
    .then(({ instance }) => drawing(/** @type {any} */ (instance.exports)));
  // A failed load is tried again by the next mount.
  qrModule.catch(() => {
    qrModule = undefined;
  });
  return qrModule;
}

/**
 * The QR module's drawing, as the widget's module calls it: the payload's UTF-8 bytes written
 * where `input` says, then `draw` returns where its three words are: the side in modules (0
 * when the payload cannot be drawn), and the address and length of the path's text.
 * @param {{ memory: WebAssembly.Memory, input(length: number): number,
 *   draw(at: number, length: number): number }} qr
 * @returns {Draw}
 */
const drawing = (qr) => (payload) => {
  const bytes = new TextEncoder().encode(payload);
  const at = qr.input(bytes.length);
  new Uint8Array(qr.memory.buffer, at, bytes.length).set(bytes);
  const out = qr.draw(at, bytes.length);
  // Read after draw: drawing may grow the memory, which detaches the buffer before it.
  const [side, path, length] = new Uint32Array(qr.memory.buffer, out, 3);
  return side
    ? [side, new TextDecoder().decode(new Uint8Array(qr.memory.buffer, path, length))]
    : undefined;
};

/**
 * Instantiates the wasm module once for every widget on the page, and the QR module when the
 * view may draw a QR (see mayDrawQr), which draws `charge`'s QR at once if `wanted()` still
 * (see drawEarly).
 * @param {Element} element
 * @param {unknown} option the charge option, a JSON text or an object
 * @param {unknown} mode
 * @param {() => boolean} wanted
 */
function load(element, option, mode, wanted) {
  ready ??= init();
  const charge = parsed(option);
  if (!mayDrawQr(element, charge)) return ready;
  const qr = loadQrModule();
  qr.then(
    (draw) => wanted() && drawEarly(element, charge, mode, draw),
    () => {},
  );
  return Promise.all([ready, qr]).then(([, draw]) => useQrModule(draw));
}

/**
 * A QRIS payload's top-level fields (ID -> value) when its CRC checks out.
 * @param {string} payload
 */
function qrisFields(payload) {
  let crc = 0xffff;
  for (let i = 0; i < payload.length - 4; i++) {
    crc ^= payload.charCodeAt(i) << 8;
    for (let bit = 0; bit < 8; bit++) crc = ((crc << 1) ^ (crc & 0x8000 ? 0x1021 : 0)) & 0xffff;
  }
  if (crc.toString(16).padStart(4, "0") !== payload.slice(-4).toLowerCase()) return;
  /** @type {Record<string, string>} */
  const fields = {};
  for (let i = 0; i < payload.length; i += 4 + Number(payload.slice(i + 2, i + 4))) {
    fields[payload.slice(i, i + 2)] = payload.substr(i + 4, Number(payload.slice(i + 2, i + 4)));
  }
  return fields;
}

/**
 * The QR drawn in a new shadow root of `element` while the widget's module still loads: only a
 * pending charge's QR that comes first on every device (a charge with no app link, or the QR
 * mode), whose QRIS payload checks out (its CRC) and asks exactly the charge's amount with
 * no tip or fee. The view takes that drawing over as it takes a server's (the same markup,
 * the same `<svg>`), after its own checks of the whole charge, which show the error view
 * instead if any fails.
 * @param {Element} element
 * @param {any} charge the charge, parsed
 * @param {unknown} mode
 * @param {Draw} draw
 */
function drawEarly(element, charge, mode, draw) {
  if (drawnBefore(element)) return;
  const payload = charge?.qr_string;
  const fields = typeof payload === "string" ? qrisFields(payload) : undefined;
  const drawn =
    fields &&
    typeof charge.order_id === "string" &&
    String(charge.transaction_status).trim() === "pending" &&
    (String(mode).trim().toLowerCase() === "qr" ||
      !charge.actions?.some?.((/** @type {any} */ a) => a?.name === "deeplink-redirect")) &&
    fields["01"] === "12" &&
    Number(fields["54"]) === Number(charge.gross_amount) &&
    !(fields["55"] || fields["56"] || fields["57"]) &&
    draw(payload);
  if (!drawn) return;
  /**
   * @param {string} tag
   * @param {Record<string, string | number>} attributes
   * @param {(Node | string)[]} children
   */
  const make = (tag, attributes, ...children) => {
    const node = /^(svg|path)$/.test(tag)
      ? document.createElementNS("http://www.w3.org/2000/svg", tag)
      : document.createElement(tag);
    for (const name in attributes) node.setAttribute(name, String(attributes[name]));
    node.append(...children);
    return node;
  };
  const [side, path] = drawn;
  // As the view draws it (src/ui/mod.rs's QrFigure), labelled by the view when it takes it.
  const svg = make(
    "svg",
    { viewBox: `0 -.5 ${side} ${side}`, width: 264, "shape-rendering": "crispEdges", role: "img" },
    make("path", { stroke: "#000", d: path }),
  );
  const root = element.attachShadow({ mode: "open" });
  root.adoptedStyleSheets = [styles()];
  root.append(
    make(
      "div",
      {},
      make(
        "section",
        { part: "widget", class: "gw" },
        make("div", { class: "gw-scan" }, make("figure", { part: "qr", class: "gw-qr" }, svg)),
        make("p", { part: "order-id", hidden: "" }, charge.order_id),
      ),
    ),
  );
}

/**
 * What a server (or this script) drew in `element` before the view: its shadow root, or its
 * first paint still in a template (inserted by a script, not parsed).
 * @param {Element} element
 */
const drawnBefore = (element) =>
  element.shadowRoot ??
  /** @type {HTMLTemplateElement | null} */ (element.querySelector(":scope > template"))?.content;

/**
 * The charge option as an object (a JSON text parsed), or undefined.
 * @param {unknown} charge
 * @returns {any}
 */
function parsed(charge) {
  try {
    return typeof charge === "string" ? JSON.parse(charge) : charge;
  } catch {}
}

/**
 * Whether the view may have to draw a QR: a charge with a QR payload (Midtrans' own QR image
 * needs no drawing), unless the QR of this charge's order was drawn before the view, which it
 * takes over.
 * @param {Element} element
 * @param {any} charge the charge, parsed
 */
function mayDrawQr(element, charge) {
  const { qr_string, order_id } = charge ?? {};
  const root = drawnBefore(element);
  const painted =
    root?.querySelector("figure[part=qr] > svg") &&
    root.querySelector("[part=order-id]")?.textContent;
  return typeof qr_string === "string" && (!painted || painted !== order_id);
}

const ATTRIBUTES = {
  charge: "data-charge",
  statusUrl: "data-status-url",
  locale: "data-locale",
  mode: "data-mode",
  environment: "data-environment",
  retry: "data-retry",
  autoOpen: "data-auto-open",
};
const OBSERVED = Object.values(ATTRIBUTES);

/** element -> the handle of the widget shown in it */
/** @type {WeakMap<Element, import("./index.d.ts").WidgetHandle>} */
const handles = new WeakMap();
/** element -> token of the latest mount from attributes still waiting for the wasm */
/** @type {WeakMap<Element, object>} */
const pending = new WeakMap();

/** @param {Element} element */
function optionsFrom(element) {
  /** @type {Record<string, string>} */
  const options = {};
  for (const [key, attribute] of Object.entries(ATTRIBUTES)) {
    const value = element.getAttribute(attribute);
    if (value !== null) options[key] = value;
  }
  return options;
}

/**
 * @param {Element} element
 * @param {string} code
 * @param {any} error
 */
function reportFailure(element, code, error) {
  element.setAttribute("data-state", "error");
  const detail = { code, message: String(error?.message || error) };
  element.dispatchEvent(new CustomEvent("gopay-error", { detail, bubbles: true, composed: true }));
}

/**
 * @param {Element} element
 * @param {object} options
 * @returns {import("./index.d.ts").WidgetHandle}
 */
function mountNow(element, options) {
  const previous = handles.get(element);
  if (previous) previous.destroy();
  const inner = mountWidget(/** @type {HTMLElement} */ (element), options);
  // In the same task as the mount: the view is never painted unstyled.
  /** @type {ShadowRoot} */ (element.shadowRoot).adoptedStyleSheets = [styles()];
  let live = true;
  const handle = {
    destroy() {
      if (!live) return;
      live = false;
      inner.destroy();
      inner.free();
      if (handles.get(element) === handle) handles.delete(element);
    },
  };
  handles.set(element, handle);
  return handle;
}

/**
 * Mounts a widget in `element`. A widget already mounted there is destroyed first.
 * @type {typeof import("./index.d.ts").mount}
 */
// Without options (a plain script's mistake) the widget shows the missing-charge error.
export async function mount(element, options = /** @type {any} */ ({})) {
  if (!element || typeof element.attachShadow !== "function") {
    throw new TypeError("gopay-widget: mount() needs an HTML element");
  }
  const { charge, mode } = /** @type {any} */ (options);
  await load(element, charge, mode, () => !handles.has(element));
  pending.delete(element);
  return mountNow(element, options);
}

// Attribute mounts read the attributes when the wasm is ready, so attributes set right after
// insertion count, several changes in one task give one remount, and an element removed
// while the wasm loads is never mounted.
/** @param {Element} element */
function mountFromAttributes(element) {
  const token = {};
  pending.set(element, token);
  const wanted = () => pending.get(element) === token && element.isConnected;
  load(
    element,
    element.getAttribute(ATTRIBUTES.charge),
    element.getAttribute(ATTRIBUTES.mode),
    wanted,
  ).then(
    () => {
      if (pending.get(element) !== token) return;
      pending.delete(element);
      if (!element.isConnected) return;
      try {
        mountNow(element, optionsFrom(element));
      } catch (error) {
        reportFailure(element, "mount_failed", error);
      }
    },
    (error) => {
      if (pending.get(element) !== token) return;
      pending.delete(element);
      reportFailure(element, "load_failed", error);
    },
  );
}

/** @param {Element} element */
const active = (element) => handles.has(element) || pending.has(element);
// An element without data-charge waits for it (pages often set it after rendering).
/** @param {Element} element */
const configured = (element) => element.hasAttribute(ATTRIBUTES.charge);

/** @param {Element} element */
function unmount(element) {
  pending.delete(element);
  const handle = handles.get(element);
  if (handle) handle.destroy();
}

// Removal destroys the widget; a move (removed and inserted again in the same task) does not.
/** @param {Element} element */
function unmountIfGone(element) {
  queueMicrotask(() => {
    if (!element.isConnected) unmount(element);
  });
}

/** After an attribute change: (re)mount with the new options, or stop if the charge is gone. */
/** @param {Element} element */
function follow(element) {
  if (configured(element)) mountFromAttributes(element);
  else unmount(element);
}

/**
 * Defines `<gopay-widget>`; elements already in the page upgrade then. Idempotent, and a no-op
 * where there is no DOM (a server rendering the page's components).
 */
export function define() {
  if (typeof HTMLElement === "undefined" || typeof customElements === "undefined") return;
  if (customElements.get("gopay-widget")) return;
  class GopayWidgetElement extends HTMLElement {
    static get observedAttributes() {
      return OBSERVED;
    }
    connectedCallback() {
      if (!active(this) && configured(this)) mountFromAttributes(this);
    }
    disconnectedCallback() {
      unmountIfGone(this);
    }
    /**
     * @param {string} _name
     * @param {string | null} before
     * @param {string | null} after
     */
    attributeChangedCallback(_name, before, after) {
      if (before !== after && this.isConnected && (active(this) || configured(this))) follow(this);
    }
  }
  customElements.define("gopay-widget", GopayWidgetElement);
}

/**
 * What the main entry's observer of `[data-gopay-widget]` elements needs: the same attribute
 * mounts the element makes. Not part of the package's API (the declarations leave it out).
 */
export const attributeMounts = {
  OBSERVED,
  active,
  configured,
  mountFromAttributes,
  unmount,
  unmountIfGone,
  follow,
};
