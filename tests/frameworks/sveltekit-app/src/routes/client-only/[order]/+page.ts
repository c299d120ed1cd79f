// The widget from the browser only: no server rendering for this page.
import type { MidtransCharge } from "gopay-widget";
import type { PageLoad } from "./$types";

export const ssr = false;

export const load: PageLoad = async ({ fetch, params }) => {
  const response = await fetch(`/api/orders/${encodeURIComponent(params.order)}/charge`);
  return { charge: (await response.json()) as MidtransCharge };
};
