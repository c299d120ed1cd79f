// The shop's backend: creating the charge (with Midtrans, server side, with the server key)
// and reading an order's status. Here both ask SHOP_API, the service that stands in for them.
// (A .server module: React Router keeps it out of the browser's bundle.)
import type { MidtransCharge } from "gopay-widget";

const shopApi = () => process.env.SHOP_API ?? "http://127.0.0.1:8080";

export async function createCharge(order: string): Promise<MidtransCharge> {
  const response = await fetch(`${shopApi()}/charge?order_id=${encodeURIComponent(order)}`);
  if (!response.ok) throw new Error(`charge failed: ${response.status}`);
  return response.json();
}

export async function orderStatus(order: string): Promise<unknown> {
  const response = await fetch(`${shopApi()}/status?order_id=${encodeURIComponent(order)}`);
  return response.json();
}
