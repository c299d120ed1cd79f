// <gopay-widget> in Svelte 5 markup (and Svelte 4's on: directives). Opt in once, in any file
// the compiler sees:
//   import type {} from "gopay-widget/svelte";
// Svelte turns an attribute named `on` + event name into a listener: `ongopay-success`.
import type { HTMLAttributes } from "svelte/elements";
import type { GopayWidgetAttributes, GopayWidgetElement, GopayWidgetEventMap } from "./index.js";

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
