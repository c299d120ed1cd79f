// gopay-widget/server where it cannot run: an edge runtime, a worker or a browser bundle.
// The export conditions pick this module there, so no client bundle ever holds the server's
// wasm, and a call says what to do instead of failing somewhere inside a bundler.
const MESSAGE =
  'gopay-widget/server runs in Node.js (>= 20): this runtime (an edge runtime, a worker or a browser) cannot render the widget. Render it in the Node.js runtime (`export const runtime = "nodejs"` in Next.js), or show the widget from the browser only (gopay-widget, or the framework components).';

/** @returns {never} */
function unavailable() {
  throw new Error(MESSAGE);
}

/**
 * @param {import("./server.d.ts").RenderOptions} _options
 * @returns {string}
 */
export function renderToString(_options) {
  return unavailable();
}

/**
 * @param {import("./server.d.ts").RenderOptions} _options
 * @returns {string}
 */
export function renderFirstPaint(_options) {
  return unavailable();
}

/** @returns {string} */
export function stylesheet() {
  return unavailable();
}
