// Vue 3: what a template (vue-tsc) sees of <gopay-widget> once `gopay-widget/vue` is
// imported: a global component whose $props are the element's attributes and whose $emit
// names its events. Each @ts-expect-error line must be an error.
import type { GopayErrorDetail, GopayStatusDetail, GopayWidgetElement } from "gopay-widget";
import type {} from "gopay-widget/vue";
import type { GlobalComponents } from "vue";

type Widget = InstanceType<GlobalComponents["gopay-widget"]>;

export const props: Widget["$props"] = {
  class: "checkout",
  "data-charge": "{}",
  "data-status-url": "/api/orders/{order_id}/status",
  "data-locale": "en",
  "data-mode": "qr",
  "data-environment": "production",
};
// @ts-expect-error only id and en
export const wrongLocale: Widget["$props"] = { "data-locale": "fr" };
// @ts-expect-error not an environment
export const wrongEnvironment: Widget["$props"] = { "data-environment": "staging" };

// A template ref to the element is the element.
export const element: GopayWidgetElement = null as unknown as Widget;

declare const widget: Widget;
declare const status: CustomEvent<GopayStatusDetail>;
declare const error: CustomEvent<GopayErrorDetail>;
widget.$emit("gopay-success", status);
widget.$emit("gopay-error", error);
// @ts-expect-error gopay-success carries a status detail
widget.$emit("gopay-success", error);
// @ts-expect-error the widget sends no such event
widget.$emit("gopay-paid", status);
