// gopay-widget/svelte: the `gopayWidget` action for a <gopay-widget> element in Svelte markup.
// It listens to the element's events, calling the given callbacks with each `detail`, and
// then defines the element; `update` swaps the callbacks, `destroy` removes the listeners.
//   <gopay-widget data-charge={json} use:gopayWidget={{ onSuccess }}>{@html firstPaint}</gopay-widget>
import { define } from "./pure.js";

/** @typedef {import("./svelte.d.ts").GopayWidgetCallbacks} Callbacks */

/** Callback -> event. */
/** @type {Array<[keyof Callbacks, string]>} */
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
 * @param {Callbacks} [callbacks]
 */
export function gopayWidget(element, callbacks = {}) {
  let current = callbacks ?? {};
  const listeners = EVENTS.map(([name, type]) => {
    /** @param {Event} event */
    const listener = (event) =>
      /** @type {((detail: unknown) => void) | undefined} */ (current[name])?.(
        /** @type {CustomEvent} */ (event).detail,
      );
    element.addEventListener(type, listener);
    return /** @type {[string, (event: Event) => void]} */ ([type, listener]);
  });
  define();
  return {
    /** @param {Callbacks | undefined} next */
    update(next) {
      current = next ?? {};
    },
    destroy() {
      for (const [type, listener] of listeners) element.removeEventListener(type, listener);
    },
  };
}
