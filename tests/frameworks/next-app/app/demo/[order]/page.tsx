// A page prerendered by `next build` for a fixed demo order: the charge is made and the first
// paint rendered at build time, so the QR is in the HTML file Next serves as it is. There is
// no request, so no user agent: every device gets the desktop view (the QR) first.
import { renderFirstPaint } from "gopay-widget/server";
import { createCharge, STATUS_URL } from "../../../lib/shop";
import { Checkout } from "../../checkout/[order]/checkout";

export const dynamic = "force-static";
export const dynamicParams = false;

export function generateStaticParams() {
  return [{ order: "demo-order" }];
}

export default async function DemoCheckout({ params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  const charge = await createCharge(order);
  const options = { charge, statusUrl: STATUS_URL, locale: "en" } as const;
  return (
    <main>
      <h1>Pay for order {order}</h1>
      <Checkout {...options} firstPaint={renderFirstPaint(options)} />
    </main>
  );
}
