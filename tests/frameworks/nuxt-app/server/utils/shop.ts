// The shop's backend: creating the charge (with Midtrans, server side, with the server key)
// and reading an order's status. Here both ask SHOP_API, the service that stands in for them.
import type { MidtransCharge } from "gopay-widget";

const shopApi = () => process.env.SHOP_API ?? "http://127.0.0.1:8080";

export const STATUS_URL = "/api/orders/{order_id}/status";

export function createCharge(order: string): Promise<MidtransCharge> {
  return $fetch<MidtransCharge>(`${shopApi()}/charge`, { query: { order_id: order } });
}

export function orderStatus(order: string): Promise<unknown> {
  return $fetch(`${shopApi()}/status`, { query: { order_id: order } });
}
