// gopay-widget/server in the edge runtime: the build resolves it to a module whose functions
// throw an Error saying to render in the Node.js runtime, and the request fails with it.
import { renderToString } from "gopay-widget/server";
import { createCharge, STATUS_URL } from "../../../../lib/shop";

export const runtime = "edge";

export async function GET(_request: Request, { params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  const charge = await createCharge(order);
  return new Response(renderToString({ charge, statusUrl: STATUS_URL, locale: "en" }), {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
