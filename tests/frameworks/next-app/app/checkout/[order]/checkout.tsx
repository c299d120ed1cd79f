"use client";
import { GopayWidget, type GopayWidgetProps } from "gopay-widget/react";
import { useState } from "react";

export function Checkout(props: GopayWidgetProps) {
  const [result, setResult] = useState("");
  return (
    <>
      <GopayWidget
        {...props}
        onSuccess={(detail) => setResult(`Paid: ${detail.order_id}`)}
        onFailure={(detail) =>
          setResult(`Not paid: ${detail.order_id} (${detail.transaction_status})`)
        }
        onExpire={(detail) => setResult(`Not paid: ${detail.order_id} (expire)`)}
      />
      {result && (
        <p id="result" role="status">
          {result}
        </p>
      )}
    </>
  );
}
