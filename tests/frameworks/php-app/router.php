<?php
// `php -S` router: /gopay-widget/… are the package's browser files (index.js, pure.js and the
// wasm), served from node_modules as a shop serves them from its public assets.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (strncmp($path, '/gopay-widget/', 14) === 0) {
    $types = ['js' => 'text/javascript', 'wasm' => 'application/wasm', 'css' => 'text/css'];
    $name = basename(substr($path, 14));
    $file = __DIR__ . '/../node_modules/gopay-widget/' . $name;
    $type = $types[pathinfo($name, PATHINFO_EXTENSION)] ?? null;
    if ($type === null || !is_file($file)) {
        http_response_code(404);
        return true;
    }
    header("Content-Type: $type");
    readfile($file);
    return true;
}
return false;
