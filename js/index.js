// gopay-widget: the package entry. Loads the wasm once, defines <gopay-widget>,
// auto-mounts [data-gopay-widget] elements, and exports mount().
import init, { mountWidget } from "./gopay_widget_wasm.js";

let ready;
/** Instantiates the wasm module once for every widget on the page. */
function load() {
  ready ??= init();
  return ready;
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
const MARKER = "data-gopay-widget";

/** element -> the handle of the widget shown in it */
const handles = new WeakMap();
/** element -> token of the latest mount from attributes still waiting for the wasm */
const pending = new WeakMap();

function optionsFrom(element) {
  const options = {};
  for (const [key, attribute] of Object.entries(ATTRIBUTES)) {
    const value = element.getAttribute(attribute);
    if (value !== null) options[key] = value;
  }
  return options;
}

function reportFailure(element, code, error) {
  element.setAttribute("data-state", "error");
  const detail = { code, message: String(error?.message || error) };
  element.dispatchEvent(new CustomEvent("gopay-error", { detail, bubbles: true, composed: true }));
}

function mountNow(element, options) {
  const previous = handles.get(element);
  if (previous) previous.destroy();
  const inner = mountWidget(element, options);
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
 * @returns {Promise<{destroy(): void}>}
 */
export async function mount(element, options = {}) {
  if (!element || typeof element.attachShadow !== "function") {
    throw new TypeError("gopay-widget: mount() needs an HTML element");
  }
  await load();
  pending.delete(element);
  return mountNow(element, options);
}

// Attribute mounts read the attributes when the wasm is ready, so attributes set right after
// insertion count, several changes in one task give one remount, and an element removed
// while the wasm loads is never mounted.
function mountFromAttributes(element) {
  const token = {};
  pending.set(element, token);
  load().then(
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

const active = (element) => handles.has(element) || pending.has(element);
// An element without data-charge waits for it (pages often set it after rendering).
const configured = (element) => element.hasAttribute(ATTRIBUTES.charge);

function unmount(element) {
  pending.delete(element);
  const handle = handles.get(element);
  if (handle) handle.destroy();
}

// Removal destroys the widget; a move (removed and inserted again in the same task) does not.
function unmountIfGone(element) {
  queueMicrotask(() => {
    if (!element.isConnected) unmount(element);
  });
}

/** After an attribute change: (re)mount with the new options, or stop if the charge is gone. */
function follow(element) {
  if (configured(element)) mountFromAttributes(element);
  else unmount(element);
}

if (typeof HTMLElement !== "undefined" && typeof customElements !== "undefined") {
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
    attributeChangedCallback(_name, before, after) {
      if (before !== after && this.isConnected && (active(this) || configured(this))) follow(this);
    }
  }
  if (!customElements.get("gopay-widget"))
    customElements.define("gopay-widget", GopayWidgetElement);

  // <gopay-widget data-gopay-widget> is already handled by the element itself.
  const SELECTOR = `[${MARKER}]:not(gopay-widget)`;
  const each = (root, f) => {
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    if (root.nodeType === 1 && root.matches(SELECTOR)) f(root);
    for (const el of root.querySelectorAll(SELECTOR)) f(el);
  };
  const mountNew = (el) => {
    if (!active(el) && configured(el)) mountFromAttributes(el);
  };
  const start = () => {
    each(document, mountNew);
    new MutationObserver((records) => {
      for (const record of records) {
        const el = record.target;
        if (record.type === "attributes") {
          if (el.localName === "gopay-widget" || !el.isConnected) continue;
          if (record.attributeName === MARKER) {
            if (el.hasAttribute(MARKER)) mountNew(el);
            else unmount(el);
          } else if (el.hasAttribute(MARKER) && (active(el) || configured(el))) {
            follow(el);
          }
          continue;
        }
        for (const node of record.removedNodes) each(node, unmountIfGone);
        for (const node of record.addedNodes) if (node.isConnected) each(node, mountNew);
      }
    }).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: [MARKER, ...OBSERVED],
    });
  };
  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
}
