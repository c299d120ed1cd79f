// The charge and the widget's first paint, rendered on the server (gopay-widget/server runs in
// Node only: a server route is where it belongs).
import { renderFirstPaint } from "gopay-widget/server";

export default defineEventHandler(async (event) => {
  const order = getRouterParam(event, "order") ?? "";
  const charge = await createCharge(order);
  const firstPaint = renderFirstPaint({
    charge,
    statusUrl: STATUS_URL,
    locale: "en",
    userAgent: getRequestHeader(event, "user-agent"),
  });
  return { charge, firstPaint };
});
