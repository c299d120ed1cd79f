import { mount } from "/pkg/index.js";

const jakarta = (ms) => new Date(ms + 7 * 3600_000).toISOString().slice(0, 19).replace("T", " ");

async function show(id, file, options) {
  const charge = await (await fetch(file)).json();
  const now = Date.now();
  charge.transaction_time = jakarta(now);
  charge.expiry_time = jakarta(now + 15 * 60_000);
  await mount(document.getElementById(id), { charge, environment: "sandbox", ...options });
}

show("qris", "/samples/qris-charge.json", { mode: "qr" });
show("gopay", "/samples/gopay-charge.json", { mode: "deeplink" });
