// gopay-widget/pure: mount() and define() with no side effect on import. Nothing runs until
// the page calls one: the wasm loads on the first mount, define() registers <gopay-widget>.
// The main entry (index.js) is this module, define() and the [data-gopay-widget] observer;
// it imports this very file, so both entries share one WebAssembly instance.
import init, { mountWidget, useQrModule } from "./gopay_widget_wasm.js";

/** @type {Promise<unknown> | undefined} */
let ready;
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
      if (!response.ok) throw new Error(`the QR module's fetch failed: ${response.status}`);
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
 * Instantiates the wasm module once for every widget on the page, and with `qr`, the QR
 * module too.
 * @param {boolean} qr
 */
function load(qr) {
  ready ??= init();
  if (!qr) return ready;
  return Promise.all([ready, loadQrModule()]).then(([, draw]) =>
    useQrModule(draw),
  );
}

/**
 * Whether the view may have to draw a QR: unless a server already drew this charge's QR in the
 * element (its first paint, parsed or still a template), which the view takes over.
 * @param {Element} element
 * @param {unknown} charge
 */
function mayDrawQr(element, charge) {
  const template = element.querySelector(':scope > template[shadowrootmode="open" i]');
  const root = element.shadowRoot ?? /** @type {HTMLTemplateElement | null} */ (template)?.content;
  const painted =
    root?.querySelector("figure[part=qr] > svg") &&
    root.querySelector("[part=order-id]")?.textContent;
  if (!painted) return true;
  try {
    const parsed = typeof charge === "string" ? JSON.parse(charge) : charge;
    return parsed?.order_id !== painted;
  } catch {
    return true;
  }
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
  await load(mayDrawQr(element, /** @type {any} */ (options)?.charge));
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
  load(mayDrawQr(element, element.getAttribute(ATTRIBUTES.charge))).then(
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
