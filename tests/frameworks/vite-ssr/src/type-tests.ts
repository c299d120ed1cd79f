// Compile-time checks (tsc) of the server entry's options and of the element's events on the
// page: each @ts-expect-error line must be an error.
import { renderFirstPaint, renderToString } from "gopay-widget/server";

export const typed = renderToString({
  charge: { order_id: "A-1" },
  statusUrl: "/s/{order_id}",
  locale: "id",
  mode: "qr",
  userAgent: null,
  stylesheet: "/assets/gopay-widget.css",
  nonce: "n",
  id: "pay",
});

// @ts-expect-error only id and en
export const wrongLocale = renderToString({ charge: "{}", locale: "fr" });

// @ts-expect-error no such option
export const unknownOption = renderFirstPaint({ charge: "{}", colour: "red" });

// @ts-expect-error the charge is required
export const noCharge = renderToString({ statusUrl: "/s" });

document.addEventListener("gopay-success", (event) => {
  // @ts-expect-error order_id is a string
  const n: number = event.detail.order_id;
  return n;
});

document.addEventListener("gopay-error", (event) => {
  // @ts-expect-error an error's code is a string
  const code: number = event.detail.code;
  return code;
});
