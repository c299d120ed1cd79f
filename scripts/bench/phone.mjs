// The phone profile of the browser bench: where most shoppers pay. A mid-range Android phone
// (viewport, user agent, touch), its CPU slowed 4x, on a mobile network of 1.6 Mbps down,
// 750 kbps up and 150 ms round trips; and the shop's payment page as the demo shop renders it
// for that phone, to be served again with brotli.

/** A mid-range Android phone, as Playwright emulates one. */
export const PHONE = {
  viewport: { width: 412, height: 915 },
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
  deviceScaleFactor: 2.625,
  isMobile: true,
  hasTouch: true,
};

/** Network.emulateNetworkConditions: 1.6 Mbps down, 750 kbps up, 150 ms round trips. */
export const PHONE_NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: 200_000,
  uploadThroughput: 93_750,
};

/** Emulation.setCPUThrottlingRate: a mid-range phone runs script about 4x slower than this machine. */
export const CPU_SLOWDOWN = 4;

export const PROFILE_TEXT =
  `CPU slowed ${CPU_SLOWDOWN}x, 150 ms round trips, 1.6 Mbps down, 750 kbps up, ` +
  `${PHONE.viewport.width}x${PHONE.viewport.height} touch screen`;

/** Slows `page` down to the phone's CPU and network before it navigates. */
export async function throttleLikeAPhone(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
}

/**
 * The payment page of `orderId` as the shop at `shopUrl` renders it for the phone (the route
 * the shop's own page sends a shopper to), and the stylesheets and scripts it links outside
 * the package: each `{ route, body, type, headers }`, for a server that adds compression.
 */
export async function shopPaymentPage(shopUrl, orderId) {
  const route = `/?${new URLSearchParams({ order: orderId, lang: "en" })}`;
  const got = async (path) => {
    const response = await fetch(shopUrl + path, { headers: { "user-agent": PHONE.userAgent } });
    if (!response.ok) throw new Error(`the shop answered ${path} with ${response.status}`);
    const csp = response.headers.get("content-security-policy");
    return {
      route: path,
      body: Buffer.from(await response.arrayBuffer()),
      type: response.headers.get("content-type"),
      headers: csp ? { "content-security-policy": csp } : {},
    };
  };
  const page = await got(route);
  const html = page.body.toString("utf8");
  const linked = [
    // Stylesheets, and the package's hints (the module the entry imports, the wasm).
    ...html.matchAll(/<link\b[^>]*\bhref="(\/[^"]*)"/g),
    ...html.matchAll(/<script\b[^>]*\bsrc="(\/[^"]*)"/g),
  ]
    .map((m) => m[1])
    // The package is served from pkg/ by the bench, as the shop serves it from there (the shop's
    // payment page names it by its versioned folder, fetched from the shop like the rest).
    .filter((p) => !p.startsWith("/pkg/"));
  return [page, ...(await Promise.all([...new Set(linked)].map(got)))];
}
