// The status endpoint the widget polls: the order as the shop's backend knows it.
import { orderStatus } from "../../../../../lib/shop";

export async function GET(_request: Request, { params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  return Response.json(await orderStatus(order), { headers: { "cache-control": "no-store" } });
}
