// The status endpoint the widget polls: the order as the shop's backend knows it.
export default defineEventHandler((event) => {
  setResponseHeader(event, "cache-control", "no-store");
  return orderStatus(getRouterParam(event, "order") ?? "");
});
