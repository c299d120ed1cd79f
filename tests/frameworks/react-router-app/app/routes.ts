import { index, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("checkout/:order", "routes/checkout.tsx"),
  route("client-only/:order", "routes/client-only.tsx"),
  route("api/orders/:order/charge", "routes/api.charge.ts"),
  route("api/orders/:order/status", "routes/api.status.ts"),
] satisfies RouteConfig;
