// Compile-time checks of <GopayWidget> (tsc): each @ts-expect-error line must be an error.
import type { GopayWidgetElement } from "gopay-widget";
import { GopayWidget } from "gopay-widget/react";
import { createRef } from "react";

const element = createRef<GopayWidgetElement>();
export const typed = (
  <GopayWidget ref={element} charge={{ order_id: "A-1" }} mode="qr" onRetry={(d) => d.order_id} />
);

// @ts-expect-error only id and en
export const wrongLocale = <GopayWidget charge="{}" locale="fr" />;

export const wrongDetail = (
  <GopayWidget
    charge="{}"
    // @ts-expect-error order_id is a string
    onSuccess={(detail: { order_id: number }) => void detail}
  />
);

// @ts-expect-error no such prop
export const unknownProp = <GopayWidget charge="{}" onPaid={() => {}} />;
