// gopay-widget/vue: the <GopayWidget> component (Vue 3.3 and later), and <gopay-widget> typed in
// templates for pages that write the element itself (the type import opts in):
//   import type {} from "gopay-widget/vue";
// The element is typed as Vue's guide types custom elements, a global component whose
// instance is the element; such a page must still tell Vue's compiler the tag is a custom
// element (compilerOptions.isCustomElement). The component needs no such option.
import type {
  AllowedComponentProps,
  ComponentCustomProps,
  ComponentOptionsMixin,
  DefineComponent,
  EmitFn,
  HTMLAttributes,
  PublicProps,
  Ref,
  VNodeProps,
} from "vue";
import type {
  GopayErrorDetail,
  GopayStatusDetail,
  GopayWidgetAttributes,
  GopayWidgetElement,
  GopayWidgetEventMap,
  MountOptions,
} from "./index.js";

/** The props of `<GopayWidget>` (kebab-case in templates: `status-url`, `first-paint`, …). */
export interface GopayWidgetProps
  extends Pick<
    MountOptions,
    "charge" | "statusUrl" | "locale" | "mode" | "environment" | "retry" | "autoOpen"
  > {
  /** What `renderFirstPaint()` (`gopay-widget/server`) returned for the same options on the server. */
  firstPaint?: string;
}

/**
 * What `<GopayWidget>` emits (`@success="(detail) => …"`): each event's `detail`. (A type, not
 * an interface: Vue's emits constraint needs its implicit index signature.)
 */
export type GopayWidgetEmits = {
  status: (detail: GopayStatusDetail) => void;
  success: (detail: GopayStatusDetail) => void;
  failure: (detail: GopayStatusDetail) => void;
  expire: (detail: GopayStatusDetail) => void;
  error: (detail: GopayErrorDetail) => void;
  /** The shopper asked for a new QR (with `retry`): create a new charge and pass it as `charge`. */
  retry: (detail: GopayStatusDetail) => void;
};

/** No data, computed or methods: Vue's own default for them. */
// biome-ignore lint/complexity/noBannedTypes: the type DefineComponent defaults these to.
type NoOptions = {};

/**
 * `<gopay-widget>` as a Vue component. It renders the element (so SSR and hydration need no
 * compiler option); with `first-paint` from the server the QR is in the server's HTML and
 * the element takes it over. The exposed `element` is the `<gopay-widget>` element.
 */
export const GopayWidget: DefineComponent<
  GopayWidgetProps,
  { element: Ref<GopayWidgetElement | null> },
  NoOptions,
  NoOptions,
  NoOptions,
  ComponentOptionsMixin,
  ComponentOptionsMixin,
  GopayWidgetEmits
>;

/** `@gopay-success="(e) => …"`: each listener gets its event's `CustomEvent`. */
export type GopayWidgetVueEvents = {
  [K in keyof GopayWidgetEventMap]: (event: GopayWidgetEventMap[K]) => void;
};

/** `data-status-url` -> `dataStatusUrl`, the name Vue's template checker looks a prop up by. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type Camelized<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

/** What a template sees of `<gopay-widget>`; a template ref to it is the element. */
export type GopayWidgetVueComponent = new () => GopayWidgetElement & {
  /**
   * @deprecated For template type checking only: the element has no such property. The
   * attributes are listed as written and camel-cased, as `strictTemplates` looks them up.
   */
  $props: HTMLAttributes &
    GopayWidgetAttributes &
    Camelized<GopayWidgetAttributes> &
    AllowedComponentProps &
    VNodeProps &
    ComponentCustomProps &
    PublicProps;
  /** @deprecated For template type checking only: the element has no such method. */
  $emit: EmitFn<GopayWidgetVueEvents>;
};

declare module "vue" {
  interface GlobalComponents {
    "gopay-widget": GopayWidgetVueComponent;
  }
}
