/** The status endpoint the widget polls (src/routes/api/orders/[order]/status/+server.ts). */
export const STATUS_URL = "/api/orders/{order_id}/status";
