import type { MidtransCharge } from "./index.js";

/** Options of `renderToString`: those of `mount()` without callbacks, plus what the server knows. */
export interface RenderOptions {
  /** The charge response, an object or its JSON text. */
  charge: MidtransCharge | string;
  /** The status endpoint, `{order_id}` standing for the order. Without it the widget only displays. */
  statusUrl?: string;
  /** `id` or `en`. Pass the page's language: the server has no `<html lang>` to read. */
  locale?: "id" | "en" | (string & {});
  mode?: "auto" | "qr" | "deeplink";
  environment?: "production" | "sandbox";
  /** The request's `User-Agent`, so a phone gets the "Open GoPay" link first. */
  userAgent?: string;
  /**
   * Where the page serves this package's `gopay-widget.css`, linked from the shadow root so the
   * first paint is styled without inline styles (strict CSP).
   */
  stylesheet?: string;
  /** The element's `id`, for the page's own CSS and scripts. */
  id?: string;
}

/**
 * The HTML of one `<gopay-widget>` element with its first view in a declarative shadow root
 * (`<template shadowrootmode="open">`) and its `data-*` attributes set. A charge that cannot
 * be shown renders the error view; nothing from the charge is ever markup.
 */
export function renderToString(options: RenderOptions): string;

/** The widget's stylesheet, the text of `gopay-widget.css`. */
export function stylesheet(): string;
