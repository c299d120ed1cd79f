// The widget's stylesheet as text, a module the build writes (scripts/build.sh) and bundles into
// pure.js.
declare const css: string;
export default css;
