// The widget from the browser only: the charge comes from a clientLoader, so the server renders
// the fallback and the browser the widget.
import type { MidtransCharge } from "gopay-widget";
import { GopayWidget } from "gopay-widget/react";
import { useState } from "react";
import { STATUS_URL } from "../status";
import type { Route } from "./+types/client-only";

export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  const response = await fetch(`/api/orders/${encodeURIComponent(params.order)}/charge`);
  return { charge: (await response.json()) as MidtransCharge };
}

export function HydrateFallback() {
  return <p>Preparing your payment…</p>;
}

export default function ClientOnlyCheckout({ loaderData }: Route.ComponentProps) {
  const [result, setResult] = useState("");
  return (
    <main>
      <GopayWidget
        charge={loaderData.charge}
        statusUrl={STATUS_URL}
        locale="en"
        onSuccess={(detail) => setResult(`Paid: ${detail.order_id}`)}
      />
      {result && <p id="result">{result}</p>}
    </main>
  );
}
