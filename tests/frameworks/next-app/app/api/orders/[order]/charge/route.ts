import { createCharge } from "../../../../../lib/shop";

export async function POST(_request: Request, { params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  return Response.json(await createCharge(order));
}
