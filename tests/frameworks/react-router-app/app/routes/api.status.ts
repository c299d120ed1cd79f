// The status endpoint the widget polls: the order as the shop's backend knows it.
import { orderStatus } from "../shop.server";
import type { Route } from "./+types/api.status";

export async function loader({ params }: Route.LoaderArgs) {
  return Response.json(await orderStatus(params.order), {
    headers: { "cache-control": "no-store" },
  });
}
