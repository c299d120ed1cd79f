// Compile-time checks of the options of gopay-widget/server (tsc and next build): each line
// marked as an expected error must be one.
import { renderFirstPaint, renderToString } from "gopay-widget/server";

export const typed = renderToString({ charge: "{}", locale: "id", userAgent: null, id: "pay" });

// @ts-expect-error only id and en
export const wrongLocale = renderFirstPaint({ charge: "{}", locale: "fr" });

// @ts-expect-error no such option
export const unknownOption = renderToString({ charge: "{}", userAgents: "x" });
