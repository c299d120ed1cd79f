// A server component: it creates the charge and renders the widget's first paint, so the QR
// is in the HTML before any script runs. The client component below takes it from there.
import { renderFirstPaint } from "gopay-widget/server";
import { headers } from "next/headers";
import { createCharge, STATUS_URL } from "../../../lib/shop";
import { Checkout } from "./checkout";

export default async function CheckoutPage({ params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  const charge = await createCharge(order);
  const options = { charge, statusUrl: STATUS_URL, locale: "en" } as const;
  const firstPaint = renderFirstPaint({
    ...options,
    userAgent: (await headers()).get("user-agent"),
  });
  return (
    <main>
      <h1>Pay for order {order}</h1>
      <Checkout {...options} firstPaint={firstPaint} />
    </main>
  );
}
