// gopay-widget: the package entry. Defines <gopay-widget> and auto-mounts [data-gopay-widget]
// elements, the ones in the page and those added later; exports mount() and define().
// Everything else is gopay-widget/pure (pure.js), imported here so that a page or bundle using
// both entries has one WebAssembly instance.
import * as pure from "./pure.js";

export { define, mount } from "./pure.js";

/**
 * The element's own attribute mounts, shared by pure.js with this entry only (not declared
 * API, so not in pure.d.ts).
 * @typedef {(element: Element) => void} Step
 * @typedef {{ OBSERVED: string[], active(element: Element): boolean,
 *   configured(element: Element): boolean, mountFromAttributes: Step, unmount: Step,
 *   unmountIfGone: Step, follow: Step }} AttributeMounts
 */
const { OBSERVED, active, configured, mountFromAttributes, unmount, unmountIfGone, follow } =
  /** @type {{ attributeMounts: AttributeMounts }} */ (/** @type {unknown} */ (pure))
    .attributeMounts;
const MARKER = "data-gopay-widget";

pure.define();

if (typeof document !== "undefined" && typeof MutationObserver !== "undefined") {
  // <gopay-widget data-gopay-widget> is already handled by the element itself.
  const SELECTOR = `[${MARKER}]:not(gopay-widget)`;
  /** @type {(root: Node, f: Step) => void} */
  const each = (root, f) => {
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    const parent = /** @type {Element} */ (root);
    if (root.nodeType === 1 && parent.matches(SELECTOR)) f(parent);
    for (const el of parent.querySelectorAll(SELECTOR)) f(el);
  };
  /** @type {Step} */
  const mountNew = (el) => {
    if (!active(el) && configured(el)) mountFromAttributes(el);
  };
  const start = () => {
    each(document, mountNew);
    new MutationObserver((records) => {
      for (const record of records) {
        const el = /** @type {Element} */ (record.target);
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
