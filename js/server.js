// gopay-widget/server: the widget's first paint, rendered on a Node (>= 20) server.
// renderToString() takes mount()'s options plus `userAgent` (the request's, so the first view
// fits the device) and `stylesheet` (where the page serves this package's gopay-widget.css),
// and returns the HTML of one <gopay-widget> with its view in a declarative shadow root and
// its data-* attributes set: the same element goes on working when the package loads.
import { readFileSync } from "node:fs";
import { initSync, renderToString as render, widgetCss } from "./gopay_widget_server.js";

let ready = false;

function load() {
  if (!ready) {
    const wasm = readFileSync(new URL("./gopay_widget_server_bg.wasm", import.meta.url));
    initSync({ module: wasm });
    ready = true;
  }
}

/**
 * The HTML of one `<gopay-widget>` element with its first view inside.
 * @param {import("./server.d.ts").RenderOptions} options
 * @returns {string}
 */
export function renderToString(options = {}) {
  load();
  return render(options);
}

/** The widget's stylesheet (the text of the package's gopay-widget.css). */
export function stylesheet() {
  load();
  return widgetCss();
}
