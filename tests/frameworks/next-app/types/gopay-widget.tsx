// Compile-time checks of <GopayWidget> (tsc and next build): each @ts-expect-error line must be
// an error, so the check fails if the component's props stop being typed.
import type { GopayStatusDetail } from "gopay-widget";
import { GopayWidget } from "gopay-widget/react";
import { useRef } from "react";

export function Typed({ charge }: { charge: string }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <GopayWidget
      ref={ref}
      charge={charge}
      statusUrl="/api/orders/{order_id}/status"
      locale="id"
      mode="auto"
      environment="sandbox"
      retry
      autoOpen={false}
      className="checkout"
      style={{ maxWidth: 400 }}
      onStatus={(detail: GopayStatusDetail) => void detail.transaction_status}
      onError={(detail) => void detail.code}
    />
  );
}

// @ts-expect-error only id and en
export const wrongLocale = <GopayWidget charge="{}" locale="fr" />;

export const wrongDetail = (
  <GopayWidget
    charge="{}"
    onSuccess={(detail) => {
      // @ts-expect-error order_id is a string
      const n: number = detail.order_id;
      void n;
    }}
    // @ts-expect-error an error detail's code is a string
    onError={(detail: { code: number }) => void detail}
  />
);

// @ts-expect-error no such prop
export const unknownProp = <GopayWidget charge="{}" colour="red" />;

// @ts-expect-error the charge is required
export const noCharge = <GopayWidget statusUrl="/s" />;
