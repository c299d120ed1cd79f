// gopay-widget/svelte: the `gopayWidget` action, and <gopay-widget> typed in Svelte 5 markup
// (and Svelte 4's on: directives); the type import alone opts the markup in:
//   import type {} from "gopay-widget/svelte";
// Svelte turns an attribute named `on` + event name into a listener: `ongopay-success`.
import type { ActionReturn } from "svelte/action";
import type { HTMLAttributes } from "svelte/elements";
import type {
  GopayErrorDetail,
  GopayStatusDetail,
  GopayWidgetAttributes,
  GopayWidgetElement,
  GopayWidgetEventMap,
} from "./index.js";

/** The callbacks of `use:gopayWidget={{ … }}`: each gets its event's `detail`. */
export interface GopayWidgetCallbacks {
  onStatus?: ((detail: GopayStatusDetail) => void) | undefined;
  onSuccess?: ((detail: GopayStatusDetail) => void) | undefined;
  onFailure?: ((detail: GopayStatusDetail) => void) | undefined;
  onExpire?: ((detail: GopayStatusDetail) => void) | undefined;
  onError?: ((detail: GopayErrorDetail) => void) | undefined;
  /** The shopper asked for a new QR (with `data-retry`): set a new charge as `data-charge`. */
  onRetry?: ((detail: GopayStatusDetail) => void) | undefined;
}

/**
 * `use:gopayWidget={{ onSuccess, … }}` on a `<gopay-widget>` element: listens to its events,
 * then defines the element, which starts from its `data-*` attributes and takes the server's
 * first paint (`{@html firstPaint}` inside it) over.
 */
export function gopayWidget(
  element: GopayWidgetElement,
  callbacks?: GopayWidgetCallbacks,
): ActionReturn<GopayWidgetCallbacks | undefined>;

/** `ongopay-success={(e) => …}` and `on:gopay-success={…}`: each gets its event's `CustomEvent`. */
export type GopayWidgetSvelteEvents = {
  [K in keyof GopayWidgetEventMap as `on${K}` | `on:${K}`]?:
    | ((
        event: GopayWidgetEventMap[K] & { currentTarget: EventTarget & GopayWidgetElement },
      ) => unknown)
    | undefined
    | null;
};

/** The attributes of `<gopay-widget>` in markup: Svelte's own, the element's and its events. */
export type GopayWidgetSvelteAttributes = HTMLAttributes<GopayWidgetElement> &
  GopayWidgetAttributes &
  GopayWidgetSvelteEvents;

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "gopay-widget": GopayWidgetSvelteAttributes;
  }
}
