// The browser's half: the package (it defines <gopay-widget>, which takes the server's first
// paint over) and the shop's handlers for the widget's events.
import "gopay-widget";
import { STATUS_URL } from "./status";

const show = (text: string) => {
  const result = document.getElementById("result");
  if (result) result.textContent = text;
};
document.addEventListener("gopay-success", (event) => show(`Paid: ${event.detail.order_id}`));
document.addEventListener("gopay-failure", (event) =>
  show(`Not paid: ${event.detail.order_id} (${event.detail.transaction_status})`),
);

// A page the server rendered without the widget: the charge comes from the backend here.
async function clientOnly(main: HTMLElement) {
  const order = main.dataset.order ?? "";
  const response = await fetch(`/api/orders/${encodeURIComponent(order)}/charge`);
  const widget = document.createElement("gopay-widget");
  widget.dataset.statusUrl = STATUS_URL;
  widget.dataset.locale = "en";
  widget.dataset.charge = await response.text();
  const result = document.createElement("p");
  result.id = "result";
  main.replaceChildren(widget, result);
}

const main = document.getElementById("client-only");
if (main) void clientOnly(main);
