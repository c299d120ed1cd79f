// gopay-widget/vue: <GopayWidget>, a thin Vue 3 layer over the <gopay-widget> element. Its
// render function writes the element itself (so Vue never resolves the tag as a component and
// needs no isCustomElement option), with the server's first paint inside when given; once
// mounted it listens to the element's events, emitting each `detail`, and defines the element.
import { defineComponent, h, onBeforeUnmount, onMounted, ref } from "vue";
import { define } from "./pure.js";

/** Emitted name -> event. */
/** @type {Array<[keyof import("./vue.d.ts").GopayWidgetEmits, string]>} */
const EVENTS = [
  ["status", "gopay-status"],
  ["success", "gopay-success"],
  ["failure", "gopay-failure"],
  ["expire", "gopay-expire"],
  ["error", "gopay-error"],
  ["retry", "gopay-retry"],
];

export const GopayWidget = defineComponent({
  name: "GopayWidget",
  props: {
    /** The charge response, an object or its JSON text. */
    charge: { type: [Object, String], required: true },
    statusUrl: { type: String, default: undefined },
    locale: { type: String, default: undefined },
    mode: { type: String, default: undefined },
    environment: { type: String, default: undefined },
    retry: { type: Boolean, default: false },
    autoOpen: { type: Boolean, default: true },
    /** What `renderFirstPaint()` returned on the server. */
    firstPaint: { type: String, default: undefined },
  },
  emits: EVENTS.map(([name]) => name),
  setup(props, { emit, expose }) {
    /** @type {import("vue").Ref<HTMLElement | null>} */
    const element = ref(null);
    /** @type {Array<[string, (event: Event) => void]>} */
    const listeners = [];
    onMounted(() => {
      const host = element.value;
      if (!host) return;
      for (const [name, type] of EVENTS) {
        /** @param {Event} event */
        const listener = (event) => emit(name, /** @type {CustomEvent} */ (event).detail);
        host.addEventListener(type, listener);
        listeners.push([type, listener]);
      }
      define();
    });
    onBeforeUnmount(() => {
      for (const [type, listener] of listeners) element.value?.removeEventListener(type, listener);
    });
    expose({ element });
    return () => {
      const { charge } = props;
      return h("gopay-widget", {
        ref: element,
        "data-charge": typeof charge === "string" ? charge : JSON.stringify(charge),
        "data-status-url": props.statusUrl,
        "data-locale": props.locale,
        "data-mode": props.mode,
        "data-environment": props.environment,
        "data-retry": props.retry ? "" : undefined,
        "data-auto-open": props.autoOpen ? undefined : "false",
        ...(props.firstPaint ? { innerHTML: props.firstPaint } : {}),
      });
    };
  },
});
