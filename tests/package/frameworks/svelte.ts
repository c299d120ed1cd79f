// Svelte 5: the attributes svelte-check gives <gopay-widget> once `gopay-widget/svelte` is
// imported (SvelteHTMLElements["gopay-widget"]). Each @ts-expect-error line must be an error.
import type { GopayErrorDetail } from "gopay-widget";
import type {} from "gopay-widget/svelte";
import type { SvelteHTMLElements } from "svelte/elements";

type Attributes = SvelteHTMLElements["gopay-widget"];

export const attributes: Attributes = {
  class: "checkout",
  "data-charge": "{}",
  "data-status-url": "/api/orders/{order_id}/status",
  "data-locale": "id",
  "data-mode": "deeplink",
  "data-environment": "sandbox",
  "ongopay-success": (e) => {
    const order: string = e.detail.order_id;
    const host: EventTarget = e.currentTarget;
    void [order, host];
  },
  "on:gopay-expire": (e) => void e.detail.transaction_status,
  "ongopay-error": (e) => {
    const detail: GopayErrorDetail = e.detail;
    // @ts-expect-error an error detail has no gross_amount
    void e.detail.gross_amount;
    void detail;
  },
};
// @ts-expect-error only id and en
export const wrongLocale: Attributes = { "data-locale": "fr" };
// @ts-expect-error not a mode
export const wrongMode: Attributes = { "data-mode": "popup" };
export const wrongHandler: Attributes = {
  // @ts-expect-error order_id is a string
  "ongopay-status": (e) => e.detail.order_id.toFixed(),
};
