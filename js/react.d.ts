// <gopay-widget> in React 19's JSX. Opt in once, in any file the compiler sees:
//   import type {} from "gopay-widget/react";
// React 19 sets the data-* attributes as attributes and, for a custom element, turns a prop
// named `on` + event name into a listener of that event: `ongopay-success` hears `gopay-success`.
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { GopayWidgetAttributes, GopayWidgetElement, GopayWidgetEventMap } from "./index.js";

/** `ongopay-status`, `ongopay-success`, …: each handler gets its event's `CustomEvent`. */
export type GopayWidgetReactEvents = {
  [K in keyof GopayWidgetEventMap as `on${K}`]?:
    | ((event: GopayWidgetEventMap[K]) => void)
    | undefined;
};

/** The props of `<gopay-widget>` in JSX: React's own (`ref`, `className`, …), the element's attributes and events. */
export type GopayWidgetReactProps = DetailedHTMLProps<
  HTMLAttributes<GopayWidgetElement>,
  GopayWidgetElement
> &
  GopayWidgetAttributes &
  GopayWidgetReactEvents;

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "gopay-widget": GopayWidgetReactProps;
    }
  }
}
