import Link from "next/link";

export default async function Home({
  searchParams,
}: {
  searchParams: Promise<{ order?: string; to?: string }>;
}) {
  const { order = "A-1", to } = await searchParams;
  // The payment page: rendered per request, or the prerendered demo.
  const page = to === "demo" ? "demo" : "checkout";
  return (
    <main>
      <h1>Your cart</h1>
      <Link id="pay-link" href={`/${page}/${encodeURIComponent(order)}`}>
        Pay with GoPay or QRIS
      </Link>
    </main>
  );
}
