/** Values of the host element's `data-state` attribute. */
export type GopayState =
  | "loading"
  | "pending"
  | "confirming"
  | "success"
  | "failure"
  | "expire"
  | "reversed"
  | "error";

/** `detail` of `gopay-status`, `gopay-success`, `gopay-failure` and `gopay-expire`. */
export interface GopayStatusDetail {
  order_id: string;
  transaction_id: string;
  transaction_status: string;
  status_code?: string;
  gross_amount?: string;
  /** Set when the widget decided something itself, e.g. an expiry after the grace window. */
  message?: string;
}

/** `detail` of `gopay-error`. */
export interface GopayErrorDetail {
  /** A stable machine-readable code, e.g. `invalid_json`, `missing_field`, `status_unreachable`. */
  code: string;
  /** A readable English message. */
  message: string;
  order_id?: string;
  transaction_id?: string;
}

export interface MountOptions {
  /** The charge response from Midtrans, as an object or a JSON string. */
  charge: object | string;
  /** The merchant's status endpoint; `{order_id}` is replaced by the URL-encoded order id. */
  statusUrl?: string;
  locale?: "id" | "en";
  mode?: "auto" | "qr" | "deeplink";
  environment?: "production" | "sandbox";
  onStatus?: (detail: GopayStatusDetail) => void;
  onSuccess?: (detail: GopayStatusDetail) => void;
  onFailure?: (detail: GopayStatusDetail) => void;
  onExpire?: (detail: GopayStatusDetail) => void;
  onError?: (detail: GopayErrorDetail) => void;
}

export interface WidgetHandle {
  /** Removes the widget's DOM and stops every timer, request and listener. */
  destroy(): void;
}

/** Mounts a widget in `element`; a widget already mounted there is destroyed first. */
export function mount(element: HTMLElement, options: MountOptions): Promise<WidgetHandle>;

export interface GopayWidgetEventMap {
  "gopay-status": CustomEvent<GopayStatusDetail>;
  "gopay-success": CustomEvent<GopayStatusDetail>;
  "gopay-failure": CustomEvent<GopayStatusDetail>;
  "gopay-expire": CustomEvent<GopayStatusDetail>;
  "gopay-error": CustomEvent<GopayErrorDetail>;
}

/** The `<gopay-widget>` element. */
export interface GopayWidgetElement extends HTMLElement {
  addEventListener<K extends keyof GopayWidgetEventMap>(
    type: K,
    listener: (this: GopayWidgetElement, ev: GopayWidgetEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: GopayWidgetElement, ev: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof GopayWidgetEventMap>(
    type: K,
    listener: (this: GopayWidgetElement, ev: GopayWidgetEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "gopay-widget": GopayWidgetElement;
  }
  // The events bubble and cross shadow roots, so listeners on ancestors see them too.
  interface HTMLElementEventMap extends GopayWidgetEventMap {}
  interface DocumentEventMap extends GopayWidgetEventMap {}
  interface WindowEventMap extends GopayWidgetEventMap {}
}
