// The server build's wasm as base64, the module the build writes (gopay_widget_server_wasm.js).
declare const wasm: string;
export default wasm;
