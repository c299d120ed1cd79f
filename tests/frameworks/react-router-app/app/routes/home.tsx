import { Link, useSearchParams } from "react-router";

export default function Home() {
  const [search] = useSearchParams();
  const order = search.get("order") ?? "A-1";
  return (
    <main>
      <h1>Your cart</h1>
      <Link id="pay-link" to={`/checkout/${encodeURIComponent(order)}`}>
        Pay with GoPay or QRIS
      </Link>
    </main>
  );
}
