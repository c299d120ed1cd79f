// The shop's backend: creating the charge (with Midtrans, server side, with the server key)
// and reading an order's status. Here both ask SHOP_API, the service that stands in for them.
import type { MidtransCharge } from "gopay-widget";

const SHOP_API = process.env.SHOP_API ?? "http://127.0.0.1:8080";

/** The status endpoint the widget polls (app/api/orders/[order]/status/route.ts). */
export const STATUS_URL = "/api/orders/{order_id}/status";

export async function createCharge(order: string): Promise<MidtransCharge> {
  const response = await fetch(`${SHOP_API}/charge?order_id=${encodeURIComponent(order)}`, {
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`charge failed: ${response.status}`);
  return response.json();
}

export async function orderStatus(order: string): Promise<unknown> {
  const response = await fetch(`${SHOP_API}/status?order_id=${encodeURIComponent(order)}`, {
    cache: "no-store",
  });
  return response.json();
}
