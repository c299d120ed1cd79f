// A route handler that answers a whole HTML page with the widget rendered by renderToString
// (the element, its attributes and its first paint), for a page outside React: an in-app
// WebView, an iframe, a template of your own. Next adds no script to it: to make it live, load
// the package's index.js on it from where you serve the package's files.
import { renderToString } from "gopay-widget/server";
import { createCharge, STATUS_URL } from "../../../lib/shop";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function GET(request: Request, { params }: { params: Promise<{ order: string }> }) {
  const { order } = await params;
  const charge = await createCharge(order);
  const widget = renderToString({
    charge,
    statusUrl: STATUS_URL,
    locale: "en",
    userAgent: request.headers.get("user-agent"),
  });
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay for order ${escapeHtml(order)}</title><link rel="icon" href="data:,"></head>
<body><main><h1>Pay for order ${escapeHtml(order)}</h1>${widget}</main></body>
</html>`;
  return new Response(page, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
