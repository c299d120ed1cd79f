import { json } from "@sveltejs/kit";
import { createCharge } from "$lib/server/shop";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async ({ params }) => json(await createCharge(params.order));
