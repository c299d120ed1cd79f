// The server's half, built with `vite build --ssr`: the pages' HTML, the widget's first paint
// in the payment page (renderToString), and the shop's backend calls the API routes make.
import type { MidtransCharge } from "gopay-widget";
import { renderToString } from "gopay-widget/server";
import { STATUS_URL } from "./status";

const shopApi = () => process.env.SHOP_API ?? "http://127.0.0.1:8080";

/** Creates the charge (with Midtrans, server side, with the server key); here SHOP_API does. */
export async function createCharge(order: string): Promise<MidtransCharge> {
  const response = await fetch(`${shopApi()}/charge?order_id=${encodeURIComponent(order)}`);
  if (!response.ok) throw new Error(`charge failed: ${response.status}`);
  return response.json();
}

/** The order as the shop's backend knows it, for the status endpoint. */
export async function orderStatus(order: string): Promise<unknown> {
  const response = await fetch(`${shopApi()}/status?order_id=${encodeURIComponent(order)}`);
  return response.json();
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A path segment's text, or undefined when it is not valid percent-encoding. */
export function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The body of the page at `url` (the template's <!--app-html-->), or undefined: no such page. */
export async function render(url: URL, userAgent?: string): Promise<string | undefined> {
  const [, page, order] = url.pathname.match(/^\/(checkout|client-only)\/([^/]+)$/) ?? [];
  const id = page && decoded(order);
  if (!id) return undefined;
  if (page === "client-only") {
    // The browser asks for the charge and shows the widget (entry-client.ts).
    return `<main id="client-only" data-order="${escapeHtml(id)}"><p>Preparing your payment…</p></main>`;
  }
  const charge = await createCharge(id);
  const widget = renderToString({ charge, statusUrl: STATUS_URL, locale: "en", userAgent });
  return `<main><h1>Pay for order ${escapeHtml(charge.order_id)}</h1>${widget}<p id="result" role="status"></p></main>`;
}
