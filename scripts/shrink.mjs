// Post-processing of the wasm-bindgen output, run by scripts/build.sh:
//  1. Leptos links server_fn, whose streaming classes (IntoUnderlying*) wasm-bindgen exports
//     and so keeps alive. The widget never streams: their exports and JS classes are dropped
//     (wasm-metadce), and everything only they reached goes with them.
//  2. wasm-opt -Oz, then import, export and module names shortened to a letter or two; the
//     JS glue is rewritten with the mapping wasm-opt prints. Every rename is checked.
// Usage: node scripts/shrink.mjs <dir> <name>   (files <name>.js and <name>_bg.wasm)

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const [dir, name] = process.argv.slice(2);
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

let js = fs.readFileSync(jsPath, "utf8");

// 1. Drop the streaming classes and their exports.
const DROP = /^IntoUnderlying\w*$/;
const dropped = [];
js = js.replace(
  /^export class (\w+) \{\n[\s\S]*?\n\}\n(?:if \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n)?/gm,
  (whole, cls) => {
    if (!DROP.test(cls)) return whole;
    dropped.push(cls);
    return "";
  },
);
js = js.replace(
  /^const (\w+)Finalization = \(typeof FinalizationRegistry === 'undefined'\)\n.*\n.*\n/gm,
  (whole, cls) => (DROP.test(cls) ? "" : whole),
);
if (/IntoUnderlying/.test(js)) fail("a streaming class is still referenced in the glue");

const wat = execFileSync(bin("wasm-dis"), [wasmPath], { maxBuffer: 1 << 28 }).toString();
const exportsAll = [...wat.matchAll(/\(export "([^"]+)"/g)].map((m) => m[1]);
const isDropped = (e) => /^(__wbg_)?intounderlying/.test(e);
const keep = exportsAll.filter((e) => !isDropped(e));
const graph = [
  { name: "root", root: true, reaches: keep.map((e) => `export:${e}`) },
  ...exportsAll.map((e) => ({ name: `export:${e}`, export: e })),
];
const graphPath = path.join(dir, "graph.json");
fs.writeFileSync(graphPath, JSON.stringify(graph));
execFileSync(
  bin("wasm-metadce"),
  [...FEATURES, "--graph-file", graphPath, "-o", wasmPath, wasmPath],
  { stdio: "ignore" },
);
fs.rmSync(graphPath);

// 2. Optimise, then shorten names.
// Wasm memory starts zeroed, so zero bytes in data segments need not be stored; flatten and
// rereloop rebuild the control flow, after which -Oz finds more to fold (measured: -0.7 KB brotli).
const mapText = execFileSync(
  bin("wasm-opt"),
  [
    "-Oz",
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--zero-filled-memory",
    "--strip-debug",
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

// Import functions the optimised module no longer imports are removed from the glue, so
// the minifier can also drop the helpers only they used.
const imported = new Set(map.imports.map(([, base]) => base));
{
  const lines = js.split("\n");
  const start = lines.indexOf("    const import0 = {");
  const end = lines.indexOf("    };", start);
  if (start < 0 || end < 0) fail("the glue's import object was not found");
  const kept = [];
  let removed = 0;
  for (let i = start + 1; i < end; i++) {
    const entry = /^ {8}([\w$]+): function\b/.exec(lines[i]);
    if (!entry || imported.has(entry[1])) {
      kept.push(lines[i]);
      continue;
    }
    let j = i;
    while (j < end && !/^ {8}\},?$/.test(lines[j])) j++;
    if (j === end) fail(`the end of import ${entry[1]} was not found`);
    i = j;
    removed++;
  }
  js = [...lines.slice(0, start + 1), ...kept, ...lines.slice(end)].join("\n");
  console.log(`shrink: removed ${removed} imports the module no longer uses`);
}

const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules]}`);
const [moduleName] = modules;
const moduleKey = `"${moduleName}": import0`;
if (!js.includes(moduleKey)) fail(`import module ${moduleName} not found in the glue`);
js = js.replace(moduleKey, `"a": import0`);

for (const [, base, short] of map.imports) {
  const key = new RegExp(`^(\\s+)${base}: function`, "m");
  if (!key.test(js)) fail(`import ${base} not found in the glue`);
  js = js.replace(key, `$1${JSON.stringify(short)}: function`);
}
const exportNames = new Map(map.exports);
js = js.replace(/\bwasm\.([A-Za-z0-9_$]+)/g, (_whole, e) => {
  const short = exportNames.get(e);
  if (short === undefined) fail(`the glue uses wasm.${e}, which is not exported`);
  return `wasm[${JSON.stringify(short)}]`;
});
const modulePrinted = execFileSync(bin("wasm-dis"), [wasmPath], { maxBuffer: 1 << 28 }).toString();
if (!/\(import "a" /.test(modulePrinted)) fail('imports are not in module "a" after renaming');
fs.writeFileSync(jsPath, js);
console.log(
  `shrink: dropped ${dropped.join(", ") || "nothing"}; renamed ${map.imports.length} imports and ${map.exports.length} exports`,
);
