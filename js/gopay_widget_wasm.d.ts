// What pure.js uses of the wasm-bindgen glue the build writes (gopay_widget_wasm.js).
export default function init(): Promise<unknown>;
export function mountWidget(host: HTMLElement, options: object): { destroy(): void; free(): void };
/** The QR module's drawing (pure.js), which the browser build draws every QR with. */
export function useQrModule(draw: (payload: string) => [number, string] | undefined): void;
