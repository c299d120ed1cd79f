// gopay-widget/pure: the same API as the main entry, with no side effect on import.
export type * from "./index.js";
export { define, mount } from "./index.js";
