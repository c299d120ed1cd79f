<?php
// The status endpoint the widget polls: the order as the shop's backend knows it.
header('Content-Type: application/json');
header('Cache-Control: no-store');
echo file_get_contents(getenv('SHOP_API') . '/status?order_id=' . urlencode($_GET['order_id'] ?? ''));
