"use client";
// gopay-widget/react: <GopayWidget>, a thin React layer over the <gopay-widget> element (React
// 18 and 19). It renders the element with its data-* attributes (and the server's first paint
// inside, when given), listens to the element's events itself, since React 19 does not attach
// a custom element's on… props while hydrating, and then defines the element (pure.js).
import { createElement, forwardRef, useEffect, useLayoutEffect, useRef } from "react";
import { define } from "./pure.js";

/**
 * @typedef {import("./react.d.ts").GopayWidgetProps} Props
 * @typedef {import("./index.d.ts").GopayWidgetElement} GopayWidgetElement
 */

/** Prop -> event; each callback gets the event's `detail`. */
/** @type {Array<[keyof Props & `on${string}`, keyof import("./index.d.ts").GopayWidgetEventMap]>} */
const EVENTS = [
  ["onStatus", "gopay-status"],
  ["onSuccess", "gopay-success"],
  ["onFailure", "gopay-failure"],
  ["onExpire", "gopay-expire"],
  ["onError", "gopay-error"],
  ["onRetry", "gopay-retry"],
];

// Listeners go on before the element can start (define() comes after them), in the commit that
// inserted it; the server has no layout effects (and React 18 warns there), so effects there.
const useCommitEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * The element's attributes from the component's props: text as the markup carries it.
 * @param {Props} props
 */
function attributes(props) {
  const { charge } = props;
  return {
    "data-charge": charge == null || typeof charge === "string" ? charge : JSON.stringify(charge),
    "data-status-url": props.statusUrl,
    "data-locale": props.locale,
    "data-mode": props.mode,
    "data-environment": props.environment,
    "data-retry": props.retry ? "" : undefined,
    "data-auto-open": props.autoOpen === false ? "false" : undefined,
  };
}

/**
 * `<gopay-widget>` as a React component; its ref is the element.
 * @type {typeof import("./react.d.ts").GopayWidget}
 */
export const GopayWidget = forwardRef(
  function GopayWidget(
    /** @type {Props} */ props,
    /** @type {import("react").ForwardedRef<GopayWidgetElement>} */ ref,
  ) {
    /** @type {import("react").RefObject<GopayWidgetElement | null>} */
    const element = useRef(null);
    const latest = useRef(props);
    latest.current = props;
    useCommitEffect(() => {
      const host = element.current;
      if (!host) return undefined;
      const listeners = EVENTS.map(([prop, type]) => {
        /** @param {Event} event */
        const listener = (event) =>
          /** @type {((detail: unknown) => void) | undefined} */ (latest.current[prop])?.(
            /** @type {CustomEvent} */ (event).detail,
          );
        host.addEventListener(type, listener);
        return /** @type {[string, (event: Event) => void]} */ ([type, listener]);
      });
      define();
      return () => {
        for (const [type, listener] of listeners) host.removeEventListener(type, listener);
      };
    }, []);
    /** @param {GopayWidgetElement | null} node */
    const setRef = (node) => {
      element.current = node;
      if (typeof ref === "function") ref(node);
      else if (ref) ref.current = node;
    };
    const { firstPaint, className, style, id } = props;
    return createElement("gopay-widget", {
      ...attributes(props),
      ref: setRef,
      class: className,
      style,
      id,
      // The first paint is the element's child until the element takes it over; what the
      // browser made of it (a shadow root) differs from the markup by design.
      dangerouslySetInnerHTML: firstPaint ? { __html: firstPaint } : undefined,
      suppressHydrationWarning: true,
    });
  },
);
