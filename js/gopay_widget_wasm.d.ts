// What pure.js uses of the wasm-bindgen glue the build writes (gopay_widget_wasm.js).
export default function init(): Promise<unknown>;
export function mountWidget(host: HTMLElement, options: object): { destroy(): void; free(): void };
