// The QR module (crates/qr-module) as the package ships it, run by scripts/build.sh, in the
// steps scripts/shrink.mjs takes for the widget's module:
//  1. every way into a panic becomes a plain trap (a panic there already ends in a trap, after
//     formatting a message nobody reads);
//  2. table entries nothing can call go (scripts/table-prune.mjs), and the statics no live
//     function refers to are zeroed (scripts/data-prune.mjs: the module is linked with
//     --emit-relocs), again while a round frees more;
//  3. wasm-opt -Oz with no names, producers, features or linking sections.
// Usage: node scripts/shrink-qr.mjs <linked.wasm> <out.wasm>
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import binaryen from "binaryen";
import {
  codeValues,
  deadRanges,
  definedFunctions,
  isLinkingSection,
  readLinkedFile,
  withoutCustomSections,
  zeroData,
} from "./data-prune.mjs";
import { assemble, pruneTableFile, TRAP_NAME } from "./table-prune.mjs";
import { trapFunctions } from "./traps.mjs";

const [input, output] = process.argv.slice(2);
const fail = (message) => {
  console.error(`shrink-qr: ${message}`);
  process.exit(1);
};
const bin = (tool) => path.resolve("node_modules/.bin", tool);
const FEATURES = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
];
// Mangled names (std's in the v0 scheme, the crates' in the legacy one): core's panic entry
// points and each function that only reports a failure to one.
const PANIC_PATHS = [
  /4core9panicking/,
  /3std9panicking/,
  /rust_begin_unwind/,
  /rust_panic/,
  /rust_alloc_error_handler/,
  /handle_alloc_error/,
  /capacity_overflow/,
  /slice_index_fail/,
  /(expect|unwrap|assert)_failed/,
];
// What every panic passes through: if one is not found, the names changed.
const REQUIRED = [/4core9panicking9panic_fmt$/, /rust_begin_unwind$/];

// 1.
binaryen.setDebugInfo(true);
const module = binaryen.readBinary(withoutCustomSections(fs.readFileSync(input), isLinkingSection));
const traps = trapFunctions(module, (name) => PANIC_PATHS.some((p) => p.test(name)));
for (const p of REQUIRED) {
  if (!traps.some((f) => p.test(f.name))) fail(`no function matches ${p}: the names changed`);
}
const trapped = new Set(traps.map((f) => f.name));
// The linker's layout globals are exported too; nothing outside needs them.
for (const name of ["__heap_base", "__data_end"])
  if (module.getExport(name)) module.removeExport(name);
if (!module.validate()) fail("the module is invalid after trapping its panics");
fs.writeFileSync(output, module.emitBinary());
module.dispose();
// Names kept until the end: step 2 matches the functions to the linked module's by them.
execFileSync(bin("wasm-opt"), ["-Oz", ...FEATURES, "-g", "-o", output, output]);

// 2.
const linked = readLinkedFile(input);
const byName = new Map();
for (const [i, n] of linked.names) {
  if (!byName.has(n)) byName.set(n, []);
  byName.get(n).push(i);
}
const named = { bin, features: FEATURES, names: true };
let zeroedAll = 0;
let pruned = 0;
for (let round = 0; round < 6; round++) {
  const table = pruneTableFile(output, named);
  pruned = table.pruned;
  const live = new Set();
  for (const f of definedFunctions(table.wat)) {
    // A function the linked module's name section leaves out is named by its index there.
    const found = /^\d+$/.test(f) ? [Number(f)] : byName.get(f);
    if (found === undefined && f !== TRAP_NAME) fail(`no linked function is named ${f}`);
    if (found && !trapped.has(f)) for (const i of found) live.add(i);
  }
  const { wat, zeroed } = zeroData(table.wat, deadRanges(linked, live, codeValues(table.wat)));
  assemble(wat, output, named);
  zeroedAll += zeroed;
  if (zeroed === 0) break;
}

// 3. As scripts/shrink.mjs's last step: zero bytes need not be stored, and -Oz finds more to
// fold after flatten and rereloop. The names go first (memory packing splits the data
// segments, and binaryen cannot name the pieces).
execFileSync(bin("wasm-opt"), [...FEATURES, "--strip-debug", "-o", output, output]);
execFileSync(bin("wasm-opt"), [
  "-Oz",
  "--flatten",
  "--rereloop",
  "-Oz",
  "-Oz",
  "--zero-filled-memory",
  ...FEATURES,
  "--strip-producers",
  "--strip-target-features",
  "-o",
  output,
  output,
]);
const exports = WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(output)))
  .map((e) => e.name)
  .sort();
if (exports.join() !== "draw,input,memory") fail(`unexpected exports: ${exports.join(", ")}`);
console.log(
  `shrink-qr: ${traps.length} panic paths trap at once, ${pruned} table entries are never ` +
    `called, ${zeroedAll} bytes of statics no live code refers to are zeroed`,
);
