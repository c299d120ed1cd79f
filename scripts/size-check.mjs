// The size budget, checked by `make test`: the browser files of the package (the two entry
// modules, the wasm and the stylesheet a server-rendered page links), each compressed as `brotli -q 11 FILE`
// compresses it, summed and held against the budget stated in README.md. The README line is the
// one place the number lives: raising it is a commit that edits that line and says what bought
// the bytes.
//   node scripts/size-check.mjs [pkg-dir]     (after `make build`; exits 1 over the budget)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The README line that states the budget, e.g. "**Size budget: 102,159 bytes**, ...". */
export const BUDGET_LINE = /^\*\*Size budget: ([0-9][0-9,]*) bytes\*\*/gm;

/**
 * Bytes of `raw` compressed as the brotli CLI compresses a file at -q 11: its window is the
 * smallest of 2^10 to 2^24 that covers the file (the window size is written in the stream's
 * header, so another window changes the count even where it changes nothing else).
 */
export function brotliCompressed(raw) {
  let lgwin = zlib.constants.BROTLI_MIN_WINDOW_BITS;
  while (lgwin < 24 && (1 << lgwin) - 16 < raw.length) lgwin += 1;
  return zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: lgwin,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

/** The length of {@link brotliCompressed}. */
export function brotliSize(raw) {
  return brotliCompressed(raw).length;
}

/**
 * What a browser fetches from the package: the entry (`index.js`, which imports `pure.js`, the
 * module with the wasm's glue), the wasm, the QR module and the stylesheets.
 */
export function shippedFiles(pkg) {
  const names = ["index.js", "pure.js", "gopay_widget_wasm_bg.wasm", "gopay_widget_qr.wasm"];
  for (const name of names)
    if (!fs.existsSync(path.join(pkg, name)))
      throw new Error(`${path.join(pkg, name)} is missing: run make build first`);
  const sheets = fs.readdirSync(pkg).filter((f) => f.endsWith(".css"));
  return [...names, ...sheets.sort()].map((name) => path.join(pkg, name));
}

/** The budget in bytes, from the one marked line of `readme`'s text. */
export function statedBudget(readme) {
  const found = [...readme.matchAll(BUDGET_LINE)];
  if (found.length !== 1)
    throw new Error(
      `README.md must state the size budget on exactly one line starting "**Size budget: N bytes**" (found ${found.length})`,
    );
  return Number(found[0][1].replaceAll(",", ""));
}

function main() {
  const pkg = path.resolve(ROOT, process.argv[2] || "pkg");
  const budget = statedBudget(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
  let total = 0;
  for (const file of shippedFiles(pkg)) {
    const raw = fs.readFileSync(file);
    const size = brotliSize(raw);
    total += size;
    console.log(
      `${path.basename(file).padEnd(28)} ${String(raw.length).padStart(9)} raw ${String(size).padStart(9)} brotli`,
    );
  }
  const n = (v) => v.toLocaleString("en-US");
  if (total > budget) {
    console.error(
      `size check: ${n(total)} bytes brotli -q 11 is ${n(total - budget)} over the README's budget of ${n(budget)}`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(
    `size check: ${n(total)} bytes brotli -q 11, budget ${n(budget)} (${n(budget - total)} to spare)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(`size check: ${error.message}`);
    process.exitCode = 1;
  }
}
