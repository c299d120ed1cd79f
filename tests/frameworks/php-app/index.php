<?php
// The shop's backend creates the charge with Midtrans (server side, with the server key) and
// hands the response to the page. Here SHOP_API stands in for that call.
$order = $_GET['order'] ?? 'A-1';
$charge = json_decode(
    file_get_contents(getenv('SHOP_API') . '/charge?order_id=' . urlencode($order)),
    true
);
?>
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>PHP shop</title>
  <link rel="icon" href="data:,">
  <script type="module" src="/gopay-widget/index.js"></script>
</head>
<body>
  <main>
    <h1>Pay for order <?= htmlspecialchars($order) ?></h1>
    <gopay-widget id="pay"
                  data-charge="<?= htmlspecialchars(json_encode($charge)) ?>"
                  data-status-url="/status.php?order_id={order_id}"
                  data-locale="en"></gopay-widget>
    <p id="result" role="status"></p>
  </main>
  <script type="module">
    const pay = document.getElementById("pay");
    const result = document.getElementById("result");
    pay.addEventListener("gopay-success", (e) => {
      result.textContent = `Paid: ${e.detail.order_id}`;
    });
    pay.addEventListener("gopay-failure", (e) => {
      result.textContent = `Not paid: ${e.detail.order_id} (${e.detail.transaction_status})`;
    });
  </script>
</body>
</html>
