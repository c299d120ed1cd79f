export default defineEventHandler((event) => createCharge(getRouterParam(event, "order") ?? ""));
