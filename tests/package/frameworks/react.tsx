// React 19: <gopay-widget> in JSX once `gopay-widget/react` is imported. Each @ts-expect-error
// line must be an error, so the check fails if the element's props stop being typed.
import type { GopayErrorDetail, GopayWidgetElement } from "gopay-widget";
import type {} from "gopay-widget/react";
import { useRef } from "react";

export function Checkout({ charge }: { charge: string }) {
  const ref = useRef<GopayWidgetElement>(null);
  return (
    <gopay-widget
      ref={ref}
      className="checkout"
      data-charge={charge}
      data-status-url="/api/orders/{order_id}/status"
      data-locale="id"
      data-mode="auto"
      data-environment="sandbox"
      ongopay-success={(e) => {
        const order: string = e.detail.order_id;
        const amount: string | undefined = e.detail.gross_amount;
        void [order, amount];
      }}
      ongopay-error={(e) => {
        const detail: GopayErrorDetail = e.detail;
        // @ts-expect-error an error detail has no gross_amount
        void e.detail.gross_amount;
        void detail;
      }}
    />
  );
}

// TypeScript reports an attribute of the wrong type at the tag.
// @ts-expect-error only id and en
export const wrongLocale = <gopay-widget data-locale="fr" />;

// @ts-expect-error not a mode
export const wrongMode = <gopay-widget data-mode="popup" />;

export const wrongHandler = (
  <gopay-widget
    ongopay-status={(e) => {
      // @ts-expect-error order_id is a string
      const n: number = e.detail.order_id;
      void n;
    }}
  />
);

// The charge is JSON text in an attribute, not an object.
// @ts-expect-error data-charge is a string
export const objectCharge = <gopay-widget data-charge={{ order_id: "A-1" }} />;
