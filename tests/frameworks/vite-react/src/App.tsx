// The checkout of a single-page app: it asks the shop's backend for the charge and shows it.
import type { MidtransCharge } from "gopay-widget";
import { GopayWidget } from "gopay-widget/react";
import { useEffect, useState } from "react";

// Where the shop's backend is (the test passes its own; a shop would use its API's origin).
const params = new URLSearchParams(location.search);
const API = params.get("api") ?? "";
const ORDER = params.get("order") ?? "A-1";

export function App() {
  const [charge, setCharge] = useState<MidtransCharge | null>(null);
  const [result, setResult] = useState("");
  // A new charge for the same cart after a failure or an expiry ("Get a new QR").
  const [attempt, setAttempt] = useState(1);
  useEffect(() => {
    const order = attempt === 1 ? ORDER : `${ORDER}-${attempt}`;
    fetch(`${API}/charge?order_id=${encodeURIComponent(order)}`)
      .then((response) => response.json())
      .then(setCharge);
  }, [attempt]);
  if (!charge) return <p>Preparing your payment…</p>;
  return (
    <main>
      <h1>Pay for order {charge.order_id}</h1>
      <GopayWidget
        charge={charge}
        statusUrl={`${API}/status?order_id={order_id}`}
        locale="en"
        onSuccess={(detail) => setResult(`Paid: ${detail.order_id}`)}
        onFailure={(detail) =>
          setResult(`Not paid: ${detail.order_id} (${detail.transaction_status})`)
        }
        retry
        onRetry={() => setAttempt((n) => n + 1)}
      />
      {result && (
        <p id="result" role="status">
          {result}
        </p>
      )}
    </main>
  );
}
