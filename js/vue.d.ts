// <gopay-widget> in Vue 3 templates, as Vue's guide types custom elements: a global component
// whose instance is the element. Opt in once, in any file the compiler sees:
//   import type {} from "gopay-widget/vue";
// Vue must still be told the tag is a custom element (compilerOptions.isCustomElement).
import type { EmitFn, HTMLAttributes, PublicProps } from "vue";
import type { GopayWidgetAttributes, GopayWidgetElement, GopayWidgetEventMap } from "./index.js";

/** `@gopay-success="(e) => …"`: each listener gets its event's `CustomEvent`. */
export type GopayWidgetVueEvents = {
  [K in keyof GopayWidgetEventMap]: (event: GopayWidgetEventMap[K]) => void;
};

/** What a template sees of `<gopay-widget>`; a template ref to it is the element. */
export type GopayWidgetVueComponent = new () => GopayWidgetElement & {
  /** @deprecated For template type checking only: the element has no such property. */
  $props: HTMLAttributes & GopayWidgetAttributes & PublicProps;
  /** @deprecated For template type checking only: the element has no such method. */
  $emit: EmitFn<GopayWidgetVueEvents>;
};

declare module "vue" {
  interface GlobalComponents {
    "gopay-widget": GopayWidgetVueComponent;
  }
}
