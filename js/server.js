// gopay-widget/server: the widget's first paint, rendered on a Node (>= 20) server.
// renderToString() takes mount()'s options plus `userAgent` (the request's, so the first view
// fits the device), `stylesheet` (a URL to link; without it the CSS is inlined) and `nonce`,
// and returns the HTML of one <gopay-widget> with its view in a declarative shadow root and
// its data-* attributes set: the same element goes on working when the package loads.
// renderFirstPaint() returns only that shadow root, for an element a framework renders.
// The wasm is inlined as base64 (gopay_widget_server_wasm.js, written by the build) and
// compiled synchronously on first use: no file to read, no URL for a bundler to rewrite or
// copy into a public folder.
import {
  initSync,
  renderFirstPaint as paint,
  renderToString as render,
  widgetCss,
} from "./gopay_widget_server.js";
import WASM_BASE64 from "./gopay_widget_server_wasm.js";

let ready = false;

/** @param {string} base64 */
function bytes(base64) {
  // Node's Buffer decodes fastest; atob where there is none.
  const { Buffer } =
    /** @type {{ Buffer?: { from(text: string, encoding: string): Uint8Array } }} */ (globalThis);
  if (Buffer) return Buffer.from(base64, "base64");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function load() {
  if (!ready) {
    initSync({ module: bytes(WASM_BASE64) });
    ready = true;
  }
}

/**
 * The HTML of one `<gopay-widget>` element with its first view inside.
 * @param {import("./server.d.ts").RenderOptions} options
 * @returns {string}
 */
export function renderToString(options) {
  load();
  return render(options);
}

/**
 * Only the `<template shadowrootmode="open">…</template>` of the first view, to put inside a
 * `<gopay-widget>` element the page's framework renders with the same options as attributes.
 * @param {import("./server.d.ts").RenderOptions} options
 * @returns {string}
 */
export function renderFirstPaint(options) {
  load();
  return paint(options);
}

/**
 * The widget's stylesheet (the text of the package's gopay-widget.css).
 * @returns {string}
 */
export function stylesheet() {
  load();
  return widgetCss();
}
