/** The status endpoint the widget polls (routes/api.status.ts). */
export const STATUS_URL = "/api/orders/{order_id}/status";
