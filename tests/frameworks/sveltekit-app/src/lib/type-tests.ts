// Compile-time checks of the action and of the element's attributes (svelte-check): each line
// marked as an expected error must be one.
import type { GopayStatusDetail } from "gopay-widget";
import { gopayWidget } from "gopay-widget/svelte";
import type { SvelteHTMLElements } from "svelte/elements";

declare const element: HTMLElementTagNameMap["gopay-widget"];

gopayWidget(element, {
  onSuccess: (detail: GopayStatusDetail) => detail.order_id,
  onError: (detail) => detail.code,
});
// @ts-expect-error order_id is a string
gopayWidget(element, { onSuccess: (detail: { order_id: number }) => detail });
// @ts-expect-error no such callback
gopayWidget(element, { onPaid: () => {} });

type Attributes = SvelteHTMLElements["gopay-widget"];
export const attributes: Attributes = {
  "data-charge": "{}",
  "data-locale": "id",
  "data-retry": true,
};
// @ts-expect-error only id and en
export const wrongLocale: Attributes = { "data-locale": "fr" };
