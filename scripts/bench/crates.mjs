// Sums twiggy's per-item sizes (CSV from `twiggy top -f csv`) by crate and prints a table.
// Usage: node scripts/bench/crates.mjs top.csv <brotli bytes of the shipped wasm>
import fs from "node:fs";

const [csvPath, brotli] = process.argv.slice(2);
const rows = fs.readFileSync(csvPath, "utf8").trim().split("\n").slice(1);

/** The first field of a CSV line (quoted or not) and the second, as a number. */
function parse(line) {
  let name;
  let rest;
  if (line.startsWith('"')) {
    let i = 1;
    let out = "";
    while (i < line.length) {
      if (line[i] === '"' && line[i + 1] === '"') {
        out += '"';
        i += 2;
      } else if (line[i] === '"') break;
      else out += line[i++];
    }
    name = out;
    rest = line.slice(i + 2);
  } else {
    const comma = line.indexOf(",");
    name = line.slice(0, comma);
    rest = line.slice(comma + 1);
  }
  return { name, bytes: Number(rest.split(",")[0]) };
}

/** The crate a function's name starts in; data, tables and other sections by kind. */
function crateOf(name) {
  if (/^data segment/.test(name) || /^data\[/.test(name)) return "(data: strings, tables)";
  if (/names" subsection|^custom section/.test(name)) return null; // not shipped
  if (/^(elem|table|type|import|export|global|memory)\b/i.test(name)) return "(wasm sections)";
  // Methods of the primitive types (`<str>::trim_matches`, `<[T]>::to_vec_in`) are the std's.
  if (/^<(&?(mut )?str|&?\[|u8|u16|u32|u64|usize|i32|i64|f64|char)\b/.test(name))
    return "core (Rust std)";
  // Drop glue is the dropped type's: core::ptr::drop_in_place<tachys::...> counts for tachys.
  const dropped = name.match(
    /drop_in_place<\(?&?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/,
  );
  const m = dropped || name.match(/([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/);
  if (!m) return "(glue and unnamed)";
  return m[1] === "std" || m[1] === "core" || m[1] === "alloc" ? `${m[1]} (Rust std)` : m[1];
}

const byCrate = new Map();
let total = 0;
for (const line of rows) {
  const { name, bytes } = parse(line);
  const crate = crateOf(name);
  if (crate === null || !Number.isFinite(bytes)) continue;
  byCrate.set(crate, (byCrate.get(crate) || 0) + bytes);
  total += bytes;
}
const sorted = [...byCrate].sort((a, b) => b[1] - a[1]);
console.log("== The wasm by crate (raw bytes before wasm-opt; see scripts/bench/crates.sh)");
console.log(`${"crate".padEnd(28)} ${"bytes".padStart(9)} ${"share".padStart(7)}`);
for (const [crate, bytes] of sorted)
  console.log(
    `${crate.padEnd(28)} ${String(bytes).padStart(9)} ${`${((100 * bytes) / total).toFixed(1)}%`.padStart(7)}`,
  );
console.log(`${"total".padEnd(28)} ${String(total).padStart(9)}`);
if (brotli) console.log(`(pkg/gopay_widget_wasm_bg.wasm is ${brotli} bytes brotli -q 11)`);
