// gopay-widget/react: the <GopayWidget> component (React 18 and 19), and <gopay-widget> typed
// in React's JSX for pages that write the element itself (the type import opts in):
//   import type {} from "gopay-widget/react";
// React 19 sets the data-* attributes as attributes and, for a custom element, turns a prop
// named `on` + event name into a listener of that event: `ongopay-success` hears `gopay-success`
// (not while hydrating a server-rendered element: the component listens itself).
import type {
  CSSProperties,
  DetailedHTMLProps,
  ForwardRefExoticComponent,
  HTMLAttributes,
  RefAttributes,
} from "react";
import type {
  GopayErrorDetail,
  GopayStatusDetail,
  GopayWidgetAttributes,
  GopayWidgetElement,
  GopayWidgetEventMap,
  MountOptions,
} from "./index.js";

/** The props of `<GopayWidget>`: `mount()`'s options, the server's first paint, and the element's `className`, `style` and `id`. */
export interface GopayWidgetProps
  extends Pick<
    MountOptions,
    "charge" | "statusUrl" | "locale" | "mode" | "environment" | "retry" | "autoOpen"
  > {
  /** What `renderFirstPaint()` (`gopay-widget/server`) returned for the same options on the server. */
  firstPaint?: string | undefined;
  onStatus?: ((detail: GopayStatusDetail) => void) | undefined;
  onSuccess?: ((detail: GopayStatusDetail) => void) | undefined;
  onFailure?: ((detail: GopayStatusDetail) => void) | undefined;
  onExpire?: ((detail: GopayStatusDetail) => void) | undefined;
  onError?: ((detail: GopayErrorDetail) => void) | undefined;
  /** The shopper asked for a new QR (with `retry`): create a new charge and pass it as `charge`. */
  onRetry?: ((detail: GopayStatusDetail) => void) | undefined;
  className?: string | undefined;
  style?: CSSProperties | undefined;
  id?: string | undefined;
}

/**
 * `<gopay-widget>` as a React component (a client component). Its `ref` is the element. With
 * `firstPaint` from the server, the QR is in the server's HTML and the element takes it over.
 */
export const GopayWidget: ForwardRefExoticComponent<
  GopayWidgetProps & RefAttributes<GopayWidgetElement>
>;

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
