// A page in the edge runtime, where gopay-widget/server does not run: the widget without a
// first paint, drawn in the browser when the package starts.
import { createCharge, STATUS_URL } from "../../../lib/shop";
import { Checkout } from "../../checkout/[order]/checkout";

export const runtime = "edge";

export default async function EdgeCheckout({ params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  const charge = await createCharge(order);
  return (
    <main>
      <h1>Pay for order {order}</h1>
      <Checkout charge={charge} statusUrl={STATUS_URL} locale="en" />
    </main>
  );
}
