// gopay-widget/svelte: the `gopayWidget` action for a <gopay-widget> element in Svelte markup.
// It listens to the element's events, calling the given callbacks with each `detail`, and
// then defines the element; `update` swaps the callbacks, `destroy` removes the listeners.
//   <gopay-widget data-charge={json} use:gopayWidget={{ onSuccess }}>{@html firstPaint}</gopay-widget>
import { define } from "./pure.js";

/** Callback -> event. */
const EVENTS = [
  ["onStatus", "gopay-status"],
  ["onSuccess", "gopay-success"],
  ["onFailure", "gopay-failure"],
  ["onExpire", "gopay-expire"],
  ["onError", "gopay-error"],
  ["onRetry", "gopay-retry"],
];

/**
 * @param {HTMLElement} element
 * @param {import("./svelte.d.ts").GopayWidgetCallbacks} [callbacks]
 */
export function gopayWidget(element, callbacks = {}) {
  let current = callbacks ?? {};
  const listeners = EVENTS.map(([name, type]) => {
    const listener = (event) => current[name]?.(event.detail);
    element.addEventListener(type, listener);
    return [type, listener];
  });
  define();
  return {
    update(next) {
      current = next ?? {};
    },
    destroy() {
      for (const [type, listener] of listeners) element.removeEventListener(type, listener);
    },
  };
}
