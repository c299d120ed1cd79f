// Post-processing of the wasm-bindgen output, run by scripts/build.sh:
//  0. Every way into a panic becomes a plain trap. With panic = "abort" a panic on
//     wasm32-unknown-unknown already ends in a trap, after formatting its message for a
//     stderr that writes nowhere; trapping at once keeps that behaviour and lets the message
//     formatting, the panic hook and the payloads go (what std's panic_immediate_abort does,
//     which needs a rebuilt std). Found by name, so wasm-bindgen runs with --keep-debug.
//  1. Leptos links server_fn, whose streaming classes (IntoUnderlying*) wasm-bindgen exports
//     and so keeps alive. The widget never streams: their exports and JS classes are dropped
//     (wasm-metadce), and everything only they reached goes with them. Their futures' poll
//     functions sit in the function table (reached through vtables, which no pass can follow),
//     so every function of wasm_streams traps too, before the metadce (step 0).
//  2. wasm-opt -Oz, then import, export and module names shortened to a letter or two; the
//     JS glue is rewritten with the mapping wasm-opt prints. Every rename is checked.
// The glue is edited on its syntax tree (acorn): each edit replaces the source range of a node
// found there, so a change in how wasm-bindgen lays out its text cannot make an edit miss or
// land elsewhere, and a node that is not where it is expected fails the build.
//  1b. With the linked module (built with --emit-relocs), the statics only dead code referred to
//     are zeroed (scripts/data-prune.mjs), after the table entries no code names go.
//  3. Table entries nothing can call any more go, on the optimised module.
// Usage: node scripts/shrink.mjs <dir> <name> [linked.wasm]   (files <name>.js and <name>_bg.wasm;
//        linked.wasm: what wasm-bindgen read, for step 1b)

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "acorn";
import { simple as walk } from "acorn-walk";
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
import { functionInfos, trapFunctions } from "./traps.mjs";

const [dir, name, linkedPath] = process.argv.slice(2);
const jsPath = path.join(dir, `${name}.js`);
const wasmPath = path.join(dir, `${name}_bg.wasm`);
const bin = (tool) => path.resolve("node_modules/.bin", tool);
const FEATURES = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];
const fail = (message) => {
  console.error(`shrink: ${message}`);
  process.exit(1);
};

const parseGlue = (source) => parse(source, { ecmaVersion: "latest", sourceType: "module" });

// Applies {start, end, text} replacements to source; each range is one a node was found at.
function splice(source, edits) {
  const parts = [];
  let at = 0;
  for (const { start, end, text } of [...edits].sort((a, b) => a.start - b.start)) {
    if (start < at) fail("two edits of the glue overlap");
    parts.push(source.slice(at, start), text);
    at = end;
  }
  parts.push(source.slice(at));
  return parts.join("");
}

// Removes a statement or object property with its comma, and its line when it stands alone
// on it, so the glue keeps no blank lines or stray commas where it was.
function removal(source, node) {
  let start = node.start;
  let end = node.end;
  while (start > 0 && " \t".includes(source[start - 1])) start--;
  if (source[end] === ",") end++;
  while (end < source.length && " \t".includes(source[end])) end++;
  if (source[end] === "\n" && (start === 0 || source[start - 1] === "\n")) end++;
  return { start, end, text: "" };
}

const isName = (node, name) => node?.type === "Identifier" && node.name === name;
const keyName = (property) =>
  property.computed ? undefined : (property.key.name ?? property.key.value);

// __wbg_get_imports() builds the import object and returns it under the module's name:
// returns that property of the returned object and the import object's properties.
function importObject(program) {
  const builder = program.body.find(
    (s) => s.type === "FunctionDeclaration" && isName(s.id, "__wbg_get_imports"),
  );
  if (!builder) fail("__wbg_get_imports() was not found in the glue");
  const returned = builder.body.body.find((s) => s.type === "ReturnStatement")?.argument;
  const modules = (returned?.type === "ObjectExpression" ? returned.properties : []).filter(
    (p) => p.type === "Property" && p.value.type === "Identifier",
  );
  if (modules.length !== 1) fail("__wbg_get_imports() does not return one import module");
  const [module] = modules;
  let object;
  walk(builder.body, {
    VariableDeclarator(d) {
      if (isName(d.id, module.value.name) && d.init?.type === "ObjectExpression") object = d.init;
    },
  });
  if (!object) fail("the glue's import object was not found");
  const properties = object.properties.filter((p) => keyName(p) !== "__proto__");
  for (const p of properties) {
    if (p.type !== "Property" || keyName(p) === undefined) {
      fail("the import object has an entry that is not a plain key");
    }
  }
  return { module, properties };
}

let js = fs.readFileSync(jsPath, "utf8");

// wasm-bindgen copies the linker's sections for later tools along; binaryen cannot read them.
fs.writeFileSync(wasmPath, withoutCustomSections(fs.readFileSync(wasmPath), isLinkingSection));

// A name for each function (an import's as "import MODULE BASE").
const nameOf = (f) => (f.module ? `import ${f.module} ${f.base}` : f.name);

// 0. Panics trap at once, and the streaming code of step 1 with them.
const trapped = new Set();
let shownNames; // wasm-bindgen's names of the functions, before any trap
{
  const h = "\\[[0-9a-f]+\\]";
  // Each a function that only formats a panic's message or reports it; wasm-bindgen's
  // *_throw helpers throw a JS error instead and are left alone.
  const PANIC_PATHS = [
    `^core${h}::panicking::`,
    `^core${h}::result::unwrap_failed$`,
    `^core${h}::option::(unwrap|expect)_failed$`,
    `^core${h}::str::slice_error_fail`,
    `^core${h}::slice::index::slice_\\w+_fail`,
    `^core${h}::cell::panic_already_`,
    `^core${h}::cell::lazy::panic_poisoned$`,
    `^alloc${h}::raw_vec::(handle_error|capacity_overflow)$`,
    `^alloc${h}::alloc::handle_alloc_error$`,
    `^<hashbrown${h}::raw::Fallibility>::capacity_overflow$`,
    `^std${h}::thread::local::panic_access_error$`,
    `^<alloc${h}::vec::Vec<_, _>>::\\w+::assert_failed$`,
    `^__rustc${h}::rust_begin_unwind$`,
    `^std${h}::panicking::panic_with_hook$`,
    // A JsValue's Debug: only an unwrap's or expect's panic message formats one (tachys'
    // DOM calls), and it alone keeps wasm-bindgen's debug_string import and its glue.
    `^<wasm_bindgen${h}::JsValue as core${h}::fmt::Debug>::fmt$`,
  ].map((p) => new RegExp(p));
  // Any function of wasm_streams, or generic over its types: only its exports reach them.
  const STREAMING = new RegExp(`wasm_streams${h}`);
  // Event delegation: tachys attaches a listener through it only with its `delegation`
  // feature, which nothing here enables (On::attach passes no delegation key without it), yet
  // the branch, the global set of delegated event names and its hashing stay linked.
  const DELEGATION = new RegExp(`^<tachys${h}::renderer::dom::Dom>::add_event_listener_delegated$`);
  // What every panic passes through, the streams and the delegation: if one is not found, the
  // names changed.
  const REQUIRED = [`^core${h}::panicking::panic_fmt$`, `^__rustc${h}::rust_begin_unwind$`]
    .map((p) => new RegExp(p))
    .concat(STREAMING, DELEGATION);
  binaryen.setDebugInfo(true);
  const module = binaryen.readBinary(fs.readFileSync(wasmPath));
  shownNames = functionInfos(module).map(nameOf);
  const traps = trapFunctions(
    module,
    (name) =>
      STREAMING.test(name) || DELEGATION.test(name) || PANIC_PATHS.some((p) => p.test(name)),
  );
  for (const p of REQUIRED) {
    if (!traps.some((f) => p.test(f.name))) fail(`no function matches ${p}: the names changed`);
  }
  if (!module.validate()) fail("the module is invalid after trapping its panics");
  for (const f of traps) trapped.add(f.name);
  fs.writeFileSync(wasmPath, module.emitBinary());
  module.dispose();
  const streaming = traps.filter((f) => STREAMING.test(f.name)).length;
  console.log(
    `shrink: ${traps.length - streaming - 1} panic paths, ${streaming} streaming functions and event delegation trap at once`,
  );
}

// The linked module's (mangled) name of each function, by the name wasm-bindgen gave it: the
// same wasm-bindgen run again with --no-demangle lists the same functions in the same order.
let linkedNameOf;
if (linkedPath) {
  const tmp = fs.mkdtempSync(path.join(dir, "mangled-"));
  execFileSync("wasm-bindgen", [
    ...["--target", "web", "--no-typescript", "--keep-debug", "--no-demangle"],
    ...["--out-dir", tmp, "--out-name", "m", linkedPath],
  ]);
  const bytes = withoutCustomSections(
    fs.readFileSync(path.join(tmp, "m_bg.wasm")),
    isLinkingSection,
  );
  fs.rmSync(tmp, { recursive: true });
  const module = binaryen.readBinary(bytes);
  const mangled = functionInfos(module).map(nameOf);
  module.dispose();
  if (shownNames.length !== mangled.length)
    fail("wasm-bindgen --no-demangle lists other functions");
  linkedNameOf = new Map();
  shownNames.forEach((n, i) => {
    if (n.startsWith("import ") !== mangled[i].startsWith("import ")) {
      fail("wasm-bindgen --no-demangle lists the functions in another order");
    }
    linkedNameOf.set(n, mangled[i]);
  });
}

// 1. Drop the streaming classes and their exports: each class, the FinalizationRegistry const
// that frees its instances, and the line that makes free() its Symbol.dispose.
const DROP = /^IntoUnderlying\w*$/;
const dropped = [];
{
  // The class a top-level statement belongs to, when it is one of those three.
  const classOf = (s) => {
    if (s.type === "ExportNamedDeclaration" && s.declaration?.type === "ClassDeclaration") {
      return s.declaration.id.name;
    }
    if (s.type === "VariableDeclaration" && s.declarations.length === 1) {
      const [d] = s.declarations;
      const registry = d.init?.type === "ConditionalExpression" ? d.init.alternate : undefined;
      const named = /^(\w+)Finalization$/.exec(d.id.name ?? "");
      if (
        named &&
        registry?.type === "NewExpression" &&
        isName(registry.callee, "FinalizationRegistry")
      ) {
        return named[1];
      }
    }
    if (
      s.type === "IfStatement" &&
      s.test.type === "MemberExpression" &&
      isName(s.test.object, "Symbol") &&
      isName(s.test.property, "dispose")
    ) {
      let target = s.consequent.expression?.left;
      while (target?.type === "MemberExpression") target = target.object;
      if (target?.type === "Identifier") return target.name;
    }
    return undefined;
  };
  const edits = [];
  for (const statement of parseGlue(js).body) {
    const cls = classOf(statement);
    if (cls === undefined || !DROP.test(cls)) continue;
    if (statement.type === "ExportNamedDeclaration") dropped.push(cls);
    edits.push(removal(js, statement));
  }
  js = splice(js, edits);
}
if (/IntoUnderlying/.test(js)) fail("a streaming class is still referenced in the glue");

// pure.js calls init() with no argument: the branch of __wbg_init_once that reads one (an options
// object, or warns of the older form) never runs.
{
  const init = parseGlue(js).body.find(
    (s) => s.type === "FunctionDeclaration" && s.id?.name === "__wbg_init_once",
  );
  const branch = init?.body.body.find(
    (s) => s.type === "IfStatement" && js.slice(s.start, s.end).includes("deprecated parameters"),
  );
  if (!branch) fail("__wbg_init_once's branch for an argument was not found");
  js = splice(js, [removal(js, branch)]);
}

const wat = execFileSync(bin("wasm-dis"), [wasmPath], { maxBuffer: 1 << 28 }).toString();
const exportsAll = [...wat.matchAll(/\(export "([^"]+)"/g)].map((m) => m[1]);
const isDropped = (e) => /^(__wbg_)?intounderlying/.test(e);
const keep = exportsAll.filter((e) => !isDropped(e));
const graph = [
  { name: "root", root: true, reaches: keep.map((e) => `export:${e}`) },
  ...exportsAll.map((e) => ({ name: `export:${e}`, export: e })),
];
// KEEP_NAMES=1 (scripts/build.sh): the functions' names stay, for a profiler.
const NAMES = process.env.KEEP_NAMES ? ["-g"] : [];
const graphPath = path.join(dir, "graph.json");
fs.writeFileSync(graphPath, JSON.stringify(graph));
execFileSync(
  bin("wasm-metadce"),
  // Names kept (-g) for step 1b; step 2 strips them.
  [...FEATURES, "-g", "--graph-file", graphPath, "-o", wasmPath, wasmPath],
  { stdio: "ignore" },
);
fs.rmSync(graphPath);

// The functions of the linked module that one of wasm-bindgen's output is: by the same name;
// by a name that wasm-bindgen made unique with a `_N`; for an export, by its symbol
// (`name_HASH`). Every duplicate counts.
const WASM_BINDGEN_MADE = / shim(_\d+)?$|^__wbindgen_|-> Externref|^Closure\(/;
function linkedFunctions(linkedByName, shown, mangled) {
  if (mangled === undefined) return undefined;
  const exact = linkedByName.get(mangled) ?? linkedByName.get(mangled.replace(/_\d+$/, ""));
  if (exact) return exact;
  const exported = [...linkedByName].filter(
    ([n]) => n.startsWith(`${shown}_`) && /^[0-9a-f]{16}$/.test(n.slice(shown.length + 1)),
  );
  return exported.length ? exported.flatMap(([, is]) => is) : undefined;
}

// 1b. The statics no live code refers to are zeroed, so that memory packing drops them. First
// the table entries no constant or data word names go (see scripts/table-prune.mjs), and the
// functions only they kept; the live functions are those left that do not trap, and the linked
// module's relocations say which statics each refers to.
// Again while a round zeroes more: a dead static's function pointers no longer keep their
// table entries (measured: a second round zeroes 34 bytes more and saves 119 B brotli).
const linked = linkedPath ? readLinkedFile(linkedPath) : undefined;
const linkedByName = new Map();
for (const [i, n] of linked?.names ?? []) {
  if (!linkedByName.has(n)) linkedByName.set(n, []);
  linkedByName.get(n).push(i);
}
for (let round = 0; linked; round++) {
  const named = { bin, features: FEATURES, names: true };
  const { wat } = pruneTableFile(wasmPath, named);
  const live = new Set();
  const unmatched = [];
  for (const f of definedFunctions(wat)) {
    const found = linkedFunctions(linkedByName, f, linkedNameOf.get(f));
    if (found === undefined) unmatched.push(f);
    else if (!trapped.has(f)) for (const i of found) live.add(i);
  }
  // A function the linker did not write is one wasm-bindgen did (its shims and adapters):
  // they call into Rust and refer to no static. Any other would be Rust code whose statics
  // this cannot see.
  const unknown = unmatched.filter((f) => !WASM_BINDGEN_MADE.test(f) && f !== TRAP_NAME);
  if (unknown.length) fail(`no linked function matches ${unknown.slice(0, 5).join(", ")}`);
  const dead = deadRanges(linked, live, codeValues(wat));
  const { wat: zeroedWat, zeroed } = zeroData(wat, dead);
  // SHOW_ZEROED=FILE: the zeroed address ranges, as JSON, to look at what went.
  if (process.env.SHOW_ZEROED) fs.writeFileSync(process.env.SHOW_ZEROED, JSON.stringify(dead));
  assemble(zeroedWat, wasmPath, named);
  console.log(`shrink: ${zeroed} bytes of statics no live code refers to are zeroed`);
  if (zeroed === 0 || round === 5) break;
}
if (!linked) console.log("shrink: no linked module given, statics left as they are");

// 2. Optimise, then shorten names.
// Wasm memory starts zeroed, so zero bytes in data segments need not be stored; flatten and
// rereloop rebuild the control flow, after which -Oz finds more to fold (measured: -0.7 KB brotli).
// Inlining functions with one caller up to 20 instructions: 30 let the passes after it remove
// more glue between Leptos' small generic layers (-3.7 KB brotli) until the table and the
// statics were pruned; since, 20 is the best of 10 to 35 (measured: -210 B against 30).
const mapText = execFileSync(
  bin("wasm-opt"),
  [
    "--one-caller-inline-max-function-size=20",
    "-Oz",
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--zero-filled-memory",
    ...(NAMES.length ? NAMES : ["--strip-debug"]),
    "--strip-producers",
    ...FEATURES,
    "--minify-imports-and-exports-and-modules",
    "-o",
    wasmPath,
    wasmPath,
  ],
  { maxBuffer: 1 << 26 },
).toString();
const map = JSON.parse(mapText.slice(mapText.indexOf("{")));

// 3. Table entries nothing can call any more go, with the functions only they kept (see
// scripts/table-prune.mjs): the optimiser has removed the code that trapping the panics left
// dead, and the pointers that code held.
{
  const { pruned, entries } = pruneTableFile(wasmPath, {
    bin,
    features: FEATURES,
    names: NAMES.length > 0,
  });
  console.log(`shrink: ${pruned} of ${entries} table entries are never called`);
}

// Import functions the optimised module no longer imports are removed from the glue, so
// the minifier can also drop the helpers only they used.
const imported = new Set(map.imports.map(([, base]) => base));
{
  const { properties } = importObject(parseGlue(js));
  const unused = properties.filter((p) => !imported.has(keyName(p)));
  js = splice(
    js,
    unused.map((p) => removal(js, p)),
  );
  console.log(`shrink: removed ${unused.length} imports the module no longer uses`);
}

// Renames on a fresh parse of the glue without those imports: the module's name, each import's
// key in the import object, and every wasm.NAME read of an export.
{
  const modules = new Set(map.imports.map(([module]) => module));
  if (modules.size !== 1) fail(`expected one import module, found ${[...modules]}`);
  const [moduleName] = modules;
  const program = parseGlue(js);
  const { module, properties } = importObject(program);
  if (keyName(module) !== moduleName) fail(`import module ${moduleName} not found in the glue`);
  const edits = [{ start: module.key.start, end: module.key.end, text: `"a"` }];

  const byName = new Map(properties.map((p) => [keyName(p), p]));
  for (const [, base, short] of map.imports) {
    const property = byName.get(base);
    if (!property) fail(`import ${base} not found in the glue`);
    if (property.shorthand) fail(`import ${base} is a shorthand property`);
    edits.push({ start: property.key.start, end: property.key.end, text: JSON.stringify(short) });
  }

  const exportNames = new Map(map.exports);
  walk(program, {
    MemberExpression(m) {
      if (!isName(m.object, "wasm") || m.computed) return;
      const short = exportNames.get(m.property.name);
      if (short === undefined) fail(`the glue uses wasm.${m.property.name}, which is not exported`);
      // From the end of `wasm` on, so `wasm.x` becomes `wasm["a"]` (and `wasm?.x`, `wasm?.["a"]`).
      const text = `${m.optional ? "?." : ""}[${JSON.stringify(short)}]`;
      edits.push({ start: m.object.end, end: m.end, text });
    },
  });
  js = splice(js, edits);
}
const modulePrinted = execFileSync(bin("wasm-dis"), [wasmPath], { maxBuffer: 1 << 28 }).toString();
if (!/\(import "a" /.test(modulePrinted)) fail('imports are not in module "a" after renaming');
fs.writeFileSync(jsPath, js);
console.log(
  `shrink: dropped ${dropped.join(", ") || "nothing"}; renamed ${map.imports.length} imports and ${map.exports.length} exports`,
);
