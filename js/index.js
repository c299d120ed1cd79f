// gopay-widget: the package entry. Defines <gopay-widget> and auto-mounts [data-gopay-widget]
// elements, the ones in the page and those added later; exports mount() and define().
// Everything else is gopay-widget/pure (pure.js), imported here so that a page or bundle using
// both entries has one WebAssembly instance.
import { attributeMounts, define } from "./pure.js";

export { define, mount } from "./pure.js";

const MARKER = "data-gopay-widget";
const { OBSERVED, active, configured, mountFromAttributes, unmount, unmountIfGone, follow } =
  attributeMounts;

define();

if (typeof document !== "undefined" && typeof MutationObserver !== "undefined") {
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
