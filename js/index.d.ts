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

/** `transaction_status` values Midtrans uses; any other string may still arrive. */
export type TransactionStatus =
  | "pending"
  | "settlement"
  | "capture"
  | "deny"
  | "cancel"
  | "expire"
  | "failure"
  | "refund"
  | "partial_refund"
  | "chargeback"
  | "partial_chargeback"
  | "authorize"
  | (string & {});

/**
 * The parts of a Midtrans GoPay or QRIS charge response the widget reads. Pass the whole
 * response as your backend received it: other fields are ignored.
 */
export interface MidtransCharge {
  order_id: string;
  transaction_id: string;
  gross_amount: string;
  transaction_status?: TransactionStatus;
  transaction_time?: string;
  expiry_time?: string;
  payment_type?: "gopay" | "qris" | (string & {});
  currency?: string;
  qr_string?: string;
  actions?: ReadonlyArray<{ name: string; method?: string; url: string }>;
}

/** `detail` of `gopay-status`, `gopay-success`, `gopay-failure` and `gopay-expire`. */
export interface GopayStatusDetail {
  order_id: string;
  transaction_id: string;
  transaction_status: TransactionStatus;
  /** Midtrans' `status_code`, when the status response had one. */
  status_code?: string;
  /** Midtrans' `gross_amount`, e.g. `"149500.00"`, when known. */
  gross_amount?: string;
  /**
   * Set on `gopay-status` (and `gopay-expire`) when the widget decided or noticed something
   * itself while it goes on: `expired_locally` (the grace window after expiry ended with the
   * shop still saying pending), `unknown_status`, `status_unreachable` (the status endpoint
   * has kept failing past the retry budget; the widget keeps trying and shows "trouble").
   * Stable snake_case.
   */
  code?: string;
  /** Set with `code`: a readable English message. */
  message?: string;
}

/**
 * `detail` of `gopay-error`. It fires once, only when the widget has stopped for good: the
 * host's `data-state` is `error`, no request is in flight or scheduled, and nothing fires
 * after it. Problems the widget keeps trying through are reported on `gopay-status` instead.
 */
export interface GopayErrorDetail {
  /**
   * A stable machine-readable code, e.g. `invalid_json`, `duplicate_key`, `missing_field`,
   * `url_not_allowed`, `charge_not_pending` (the charge has already ended and there is no
   * status URL to confirm it), `order_mismatch` (the status endpoint answered for another
   * order), `transaction_mismatch` (for another `transaction_id`), `amount_mismatch` (with
   * another `gross_amount`), `status_unreachable` (the endpoint never confirmed anything for
   * a charge that did not say pending, by the end of the grace window), `load_failed` (the
   * WebAssembly module could not be loaded), `qris_crc_mismatch` and the other `qris_*`
   * codes (the `qr_string` is not a payable QRIS code, and the charge has no QR image of its
   * transaction), `qris_amount_mismatch` (the code does not ask exactly `gross_amount`),
   * `qris_tip_or_fee` (the code prompts for a tip or adds a fee: the payer would pay more
   * than `gross_amount`).
   */
  code: string;
  /**
   * A readable English message for the developer (it may name the fix, such as
   * `data-environment="sandbox"`). The shopper never sees it: the error view says, in the
   * widget's language, that the payment cannot be shown and what to do.
   */
  message: string;
  order_id?: string;
  transaction_id?: string;
  transaction_status?: TransactionStatus;
}

export type GopayLocale = "id" | "en";
export type GopayMode = "auto" | "qr" | "deeplink";
export type GopayEnvironment = "production" | "sandbox";

/**
 * The attributes of `<gopay-widget>` (and of any `[data-gopay-widget]` element), as markup
 * writes them. The framework typings (`gopay-widget/react`, `gopay-widget/vue`,
 * `gopay-widget/svelte`) give the element these attributes.
 */
export interface GopayWidgetAttributes {
  /** The charge response as JSON text. Without it the element waits for one. */
  "data-charge"?: string | undefined;
  /** See {@link MountOptions.statusUrl}. */
  "data-status-url"?: string | undefined;
  "data-locale"?: GopayLocale | undefined;
  "data-mode"?: GopayMode | undefined;
  /** See {@link MountOptions.environment}. */
  "data-environment"?: GopayEnvironment | undefined;
  /** Present (or `"true"`): offer "Get a new QR" after a failure or an expiry. See {@link MountOptions.retry}. */
  "data-retry"?: "" | "true" | "false" | boolean | undefined;
  /** `"false"`: no automatic opening of the GoPay app. See {@link MountOptions.autoOpen}. */
  "data-auto-open"?: "true" | "false" | boolean | undefined;
}

export interface MountOptions {
  /** The charge response from Midtrans, as an object or a JSON string. */
  charge: MidtransCharge | object | string;
  /**
   * The merchant's status endpoint, polled with `GET`; `{order_id}` is replaced by the
   * URL-encoded order id. Without it the widget only shows the charge.
   */
  statusUrl?: string;
  /** Default: `<html lang>`, then the browser's language, then `id`. */
  locale?: GopayLocale;
  /** Default `auto`: the GoPay app button on phones, the QR on desktops and tablets. */
  mode?: GopayMode;
  /**
   * Which Midtrans environment the charge's URLs may come from. Unset: production, unless
   * every URL of the charge the widget would follow (deeplink, QR image) is on Midtrans'
   * sandbox (`api.sandbox.midtrans.com`, `simulator.sandbox.midtrans.com`), which makes it a
   * sandbox charge, shown as such. `sandbox` also admits the page's own origin and loopback
   * hosts (local simulators). `production` refuses a sandbox charge (`url_not_allowed`, with
   * the fix in `message` and a `console.warn`).
   */
  environment?: GopayEnvironment;
  /**
   * Offer "Get a new QR" after a failure or an expiry: the widget then fires `gopay-retry`
   * (and `onRetry`), and the page hands a new charge over with a new `mount()` (or a new
   * `data-charge`). Also on when `onRetry` is given. Attribute: `data-retry`.
   */
  retry?: boolean;
  /**
   * Default `true`: where the Open GoPay button comes first (a phone in mode `auto`, any
   * device in mode `deeplink`) and a `statusUrl` is given, the widget opens the GoPay app by
   * itself once per transaction, after the page's load. `false` turns that off; the Open GoPay
   * button stays. Attribute: `data-auto-open="false"`.
   */
  autoOpen?: boolean;
  onStatus?: (detail: GopayStatusDetail) => void;
  onSuccess?: (detail: GopayStatusDetail) => void;
  onFailure?: (detail: GopayStatusDetail) => void;
  onExpire?: (detail: GopayStatusDetail) => void;
  onError?: (detail: GopayErrorDetail) => void;
  /** The shopper asked for a new QR; `detail` is the one of the event that ended the transaction. */
  onRetry?: (detail: GopayStatusDetail) => void;
}

export interface WidgetHandle {
  /** Removes the widget's DOM and stops every timer, request and listener. Idempotent. */
  destroy(): void;
}

/**
 * Mounts a widget in `element` (in an open shadow root); a widget already mounted there is
 * destroyed first. A server-rendered first paint in `element` is taken over, also one inserted
 * as HTML by a script (its `<template shadowrootmode="open">` becomes the shadow root).
 * Resolves once the WebAssembly module is ready and the widget is shown; the element then
 * carries `data-live` until `destroy()`.
 */
export function mount(element: HTMLElement, options: MountOptions): Promise<WidgetHandle>;

/**
 * Defines the `<gopay-widget>` element; elements already in the page upgrade then. Idempotent,
 * and a no-op where there is no DOM. The main entry calls it on import; `gopay-widget/pure`
 * leaves it to the page.
 */
export function define(): void;

/** The events a widget dispatches on its host element (`bubbles: true, composed: true`). */
export interface GopayWidgetEventMap {
  /** Every change of `transaction_status`, the first one included. */
  "gopay-status": CustomEvent<GopayStatusDetail>;
  /**
   * `settlement`, or `capture` with `fraud_status` `accept`, naming this order's transaction
   * and amount (or none); once per transaction.
   */
  "gopay-success": CustomEvent<GopayStatusDetail>;
  /** `deny`, `cancel`, `failure`, or a `capture` its fraud review denied; once per transaction. */
  "gopay-failure": CustomEvent<GopayStatusDetail>;
  /** `expire`; once per transaction. */
  "gopay-expire": CustomEvent<GopayStatusDetail>;
  /** The widget cannot go on. */
  "gopay-error": CustomEvent<GopayErrorDetail>;
  /**
   * "Get a new QR" was tapped (offered after `gopay-failure` or `gopay-expire` when retry is
   * on): create a new charge and set it as `data-charge` (or `mount()` again).
   */
  "gopay-retry": CustomEvent<GopayStatusDetail>;
}

/**
 * The `<gopay-widget>` element. Its options are the `data-*` attributes. The widget sets two
 * on the host: `data-state` ({@link GopayState}, which a server-rendered first paint already
 * carries) and `data-live` (empty), present from the moment the package has taken the element
 * over (its view is the live one, whatever it shows) until the widget is destroyed; a server
 * paint never has it, so `gopay-widget:not([data-live])` is a view nothing runs yet.
 */
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
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: GopayWidgetElement, ev: HTMLElementEventMap[K]) => unknown,
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
