import { createCharge } from "../shop.server";
import type { Route } from "./+types/api.charge";

export async function loader({ params }: Route.LoaderArgs) {
  return Response.json(await createCharge(params.order));
}
