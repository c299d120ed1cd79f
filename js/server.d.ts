import type { GopayEnvironment, GopayLocale, GopayMode, MidtransCharge } from "./index.js";

/** Options of `renderToString` and `renderFirstPaint`: those of `mount()` without callbacks, plus what the server knows. */
export interface RenderOptions {
  /** The charge response, an object or its JSON text. */
  charge: MidtransCharge | object | string;
  /** The status endpoint, `{order_id}` standing for the order. Without it the widget only displays. */
  statusUrl?: string;
  /** `id` or `en`. Pass the page's language: the server has no `<html lang>` to read. */
  locale?: GopayLocale;
  mode?: GopayMode;
  environment?: GopayEnvironment;
  /** Written as `data-retry` by `renderToString`: offer "Get a new QR" after a failure or an expiry. */
  retry?: boolean;
  /** `false` is written as `data-auto-open="false"` by `renderToString`: no automatic app opening. */
  autoOpen?: boolean;
  /** The request's `User-Agent`, so a phone gets the "Open GoPay" link first. */
  userAgent?: string | null;
  /**
   * A URL where the page serves this package's `gopay-widget.css`, linked from the shadow root
   * (works under `style-src 'self'`). Without it the CSS is inlined as a `<style>` element.
   */
  stylesheet?: string;
  /** The nonce of the page's CSP (`style-src 'nonce-…'`), set on the inlined `<style>`. */
  nonce?: string;
  /** The element's `id`, for the page's own CSS and scripts (`renderToString` only). */
  id?: string;
}

/**
 * The HTML of one `<gopay-widget>` element with its first view in a declarative shadow root
 * (`<template shadowrootmode="open">`) and its `data-*` attributes set. A charge that cannot
 * be shown renders the error view; nothing from the charge is ever markup.
 */
export function renderToString(options: RenderOptions): string;

/**
 * Only the declarative shadow root (`<template shadowrootmode="open">…</template>`) of the
 * first view, for a `<gopay-widget>` element that a framework's component renders with the
 * same options (the `firstPaint` prop of the React and Vue components, `{@html}` in Svelte).
 */
export function renderFirstPaint(options: RenderOptions): string;

/** The widget's stylesheet, the text of `gopay-widget.css`. */
export function stylesheet(): string;
