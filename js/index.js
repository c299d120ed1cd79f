// gopay-widget: the package entry. Loads the wasm once, defines <gopay-widget>,
// auto-mounts [data-gopay-widget] elements, and exports mount().
import init, { mountWidget } from "./gopay_widget_wasm.js";

let ready;
/** Instantiates the wasm module once for every widget on the page. */
function load() {
  ready ??= init();
  return ready;
}

const handles = new WeakMap();
const ATTRIBUTES = {
  charge: "data-charge",
  statusUrl: "data-status-url",
  locale: "data-locale",
  mode: "data-mode",
  environment: "data-environment",
};

function optionsFrom(element) {
  const options = {};
  for (const [key, attribute] of Object.entries(ATTRIBUTES)) {
    const value = element.getAttribute(attribute);
    if (value !== null) options[key] = value;
  }
  return options;
}

function reportLoadFailure(element, error) {
  element.setAttribute("data-state", "error");
  const detail = { code: "load_failed", message: String((error && error.message) || error) };
  element.dispatchEvent(new CustomEvent("gopay-error", { detail, bubbles: true, composed: true }));
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

function mountFromAttributes(element) {
  return mount(element, optionsFrom(element)).catch((error) => reportLoadFailure(element, error));
}

function unmount(element) {
  const handle = handles.get(element);
  if (handle) handle.destroy();
}

if (typeof HTMLElement !== "undefined" && typeof customElements !== "undefined") {
  class GopayWidgetElement extends HTMLElement {
    static get observedAttributes() {
      return Object.values(ATTRIBUTES);
    }
    connectedCallback() {
      // Moving the element disconnects and reconnects it: the payment goes on untouched.
      if (!handles.has(this)) mountFromAttributes(this);
    }
    disconnectedCallback() {
      queueMicrotask(() => {
        if (!this.isConnected) unmount(this);
      });
    }
    attributeChangedCallback(_name, before, after) {
      if (before !== after && this.isConnected && handles.has(this)) mountFromAttributes(this);
    }
  }
  if (!customElements.get("gopay-widget")) customElements.define("gopay-widget", GopayWidgetElement);

  const SELECTOR = "[data-gopay-widget]";
  const autoMount = (root) => {
    if (root.matches && root.matches(SELECTOR) && !handles.has(root)) mountFromAttributes(root);
    if (root.querySelectorAll) for (const el of root.querySelectorAll(SELECTOR)) if (!handles.has(el)) mountFromAttributes(el);
  };
  const autoUnmount = (root) => {
    if (root.matches && root.matches(SELECTOR) && !root.isConnected) unmount(root);
    if (root.querySelectorAll) for (const el of root.querySelectorAll(SELECTOR)) if (!el.isConnected) unmount(el);
  };
  const start = () => {
    autoMount(document);
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "attributes") {
          const el = record.target;
          if (el.matches(SELECTOR) && el.localName !== "gopay-widget" && handles.has(el)) mountFromAttributes(el);
          continue;
        }
        for (const node of record.addedNodes) autoMount(node);
        for (const node of record.removedNodes) queueMicrotask(() => autoUnmount(node));
      }
    }).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: Object.values(ATTRIBUTES),
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
}
