// The loader creates the charge and renders the widget's first paint on the server, so the QR
// is in the HTML before any script runs; <GopayWidget> takes it from there in the browser.
import { GopayWidget } from "gopay-widget/react";
import { renderFirstPaint } from "gopay-widget/server";
import { useState } from "react";
import { createCharge } from "../shop.server";
import { STATUS_URL } from "../status";
import type { Route } from "./+types/checkout";

export async function loader({ params, request }: Route.LoaderArgs) {
  const charge = await createCharge(params.order);
  const firstPaint = renderFirstPaint({
    charge,
    statusUrl: STATUS_URL,
    locale: "en",
    userAgent: request.headers.get("user-agent"),
  });
  return { charge, firstPaint };
}

export default function Checkout({ loaderData }: Route.ComponentProps) {
  const { charge, firstPaint } = loaderData;
  const [result, setResult] = useState("");
  return (
    <main>
      <h1>Pay for order {charge.order_id}</h1>
      <GopayWidget
        charge={charge}
        statusUrl={STATUS_URL}
        locale="en"
        firstPaint={firstPaint}
        onSuccess={(detail) => setResult(`Paid: ${detail.order_id}`)}
        onFailure={(detail) =>
          setResult(`Not paid: ${detail.order_id} (${detail.transaction_status})`)
        }
      />
      {result && (
        <p id="result" role="status">
          {result}
        </p>
      )}
    </main>
  );
}
