// Compile-time checks of the package's declarations (tsc --noEmit): each @ts-expect-error
// line must be an error, so an `any` anywhere in these types fails the check.
import {
  type GopayErrorDetail,
  type GopayState,
  type MountOptions,
  mount,
  type WidgetHandle,
} from "gopay-widget";

const el = document.createElement("gopay-widget");
el.addEventListener("gopay-success", (e) => {
  const order: string = e.detail.order_id;
  const amount: string | undefined = e.detail.gross_amount;
  // @ts-expect-error order_id is a string
  const wrong: number = e.detail.order_id;
  void [order, amount, wrong];
});
el.addEventListener("gopay-error", (e) => {
  const detail: GopayErrorDetail = e.detail;
  // @ts-expect-error an error detail has no gross_amount
  void e.detail.gross_amount;
  void detail;
});
// Events bubble, so ancestors are typed too.
document.addEventListener("gopay-expire", (e) => {
  const status: string = e.detail.transaction_status;
  void status;
});
el.addEventListener("click", (e) => {
  const x: number = e.clientX;
  void x;
});

const good: MountOptions = { charge: "{}", locale: "en", mode: "qr", environment: "sandbox" };
// @ts-expect-error only id and en
const badLocale: MountOptions = { charge: "{}", locale: "fr" };
// @ts-expect-error the charge is required
const noCharge: MountOptions = { statusUrl: "/s" };
void [good, badLocale, noCharge];

async function use(): Promise<void> {
  const handle: WidgetHandle = await mount(el, {
    charge: {},
    onSuccess: (d) => void d.transaction_id,
  });
  handle.destroy();
  // @ts-expect-error mount needs an element
  await mount("#pay", { charge: {} });
  // @ts-expect-error the handle has only destroy()
  handle.pause();
}
void use;

const state: GopayState = "confirming";
// @ts-expect-error not a widget state
const notState: GopayState = "paid";
void [state, notState];
