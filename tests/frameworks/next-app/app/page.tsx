import Link from "next/link";

export default async function Home({
  searchParams,
}: {
  searchParams: Promise<{ order?: string }>;
}) {
  const { order = "A-1" } = await searchParams;
  return (
    <main>
      <h1>Your cart</h1>
      <Link id="pay-link" href={`/checkout/${encodeURIComponent(order)}`}>
        Pay with GoPay or QRIS
      </Link>
    </main>
  );
}
