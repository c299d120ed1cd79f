"use client";
// The widget from the browser only: the page asks its backend for the charge, then shows it.
import type { MidtransCharge } from "gopay-widget";
import { GopayWidget } from "gopay-widget/react";
import { use, useEffect, useState } from "react";

export default function ClientCheckout({ params }: { params: Promise<{ order: string }> }) {
  const { order } = use(params);
  const [charge, setCharge] = useState<MidtransCharge | null>(null);
  const [result, setResult] = useState("");
  useEffect(() => {
    fetch(`/api/orders/${encodeURIComponent(order)}/charge`, { method: "POST" })
      .then((response) => response.json())
      .then(setCharge);
  }, [order]);
  if (!charge) return <p>Preparing your payment…</p>;
  return (
    <main>
      <GopayWidget
        charge={charge}
        statusUrl="/api/orders/{order_id}/status"
        locale="en"
        onSuccess={(detail) => setResult(`Paid: ${detail.order_id}`)}
      />
      {result && <p id="result">{result}</p>}
    </main>
  );
}
