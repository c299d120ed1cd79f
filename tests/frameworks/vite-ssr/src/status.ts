/** The status endpoint the widget polls (server.js answers it). */
export const STATUS_URL = "/api/orders/{order_id}/status";
