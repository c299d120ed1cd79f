// Compile-time checks (react-router typegen, then tsc): each @ts-expect-error line must be an
// error, so the check fails if the component's props, the server entry's options or the
// loader's data stop being typed.
import { GopayWidget } from "gopay-widget/react";
import { renderFirstPaint } from "gopay-widget/server";
import type { Route } from "./routes/+types/checkout";

export function Typed({ loaderData }: Route.ComponentProps) {
  const { charge, firstPaint } = loaderData;
  return <GopayWidget charge={charge} firstPaint={firstPaint} onRetry={(d) => d.order_id} />;
}

export function WrongPaint({ loaderData }: Route.ComponentProps) {
  // @ts-expect-error the first paint is the HTML text renderFirstPaint returned
  return <GopayWidget charge={loaderData.charge} firstPaint={loaderData.charge} />;
}

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

// @ts-expect-error only id and en
export const wrongServerLocale = () => renderFirstPaint({ charge: "{}", locale: "fr" });
