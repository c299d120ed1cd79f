// What server.js uses of the wasm-bindgen glue of the server build (gopay_widget_server.js).
export function initSync(input: { module: Uint8Array }): unknown;
export function renderToString(options: object): string;
export function renderFirstPaint(options: object): string;
export function widgetCss(): string;
