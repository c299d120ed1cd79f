// The <gopay-widget> element typed in markup (its attributes and events).
import type {} from "gopay-widget/svelte";
