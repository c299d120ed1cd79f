// The status endpoint the widget polls: the order as the shop's backend knows it.
import { json } from "@sveltejs/kit";
import { orderStatus } from "$lib/server/shop";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async ({ params }) =>
  json(await orderStatus(params.order), { headers: { "cache-control": "no-store" } });
