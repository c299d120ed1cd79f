// The charge and the widget's first paint, rendered on the server. The paint links the
// package's stylesheet, served by the app as one of its assets (`?url`), rather than inlining it.
import cssUrl from "gopay-widget/gopay-widget.css?url";
import { renderFirstPaint } from "gopay-widget/server";
import { createCharge } from "$lib/server/shop";
import { STATUS_URL } from "$lib/status";
import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = async ({ params, request }) => {
  const charge = await createCharge(params.order);
  const firstPaint = renderFirstPaint({
    charge,
    statusUrl: STATUS_URL,
    locale: "en",
    userAgent: request.headers.get("user-agent"),
    stylesheet: cssUrl,
  });
  return { charge, firstPaint };
};
