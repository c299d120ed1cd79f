// QR SVG sizes beside the qrcode npm package's, for the test suite's sample payloads (every
// fixture's qr_string, QRIS-like and random printable payloads of 100, 250 and 500 characters).
//
//   node scripts/qr-figures.mjs           prints the table
//   node scripts/qr-figures.mjs --check   prints only what misses a budget
//
// Our figures come from `cargo run --example qr_size -- --json`; qrcode's from its toString
// at the same error correction level (M) and margin (4). Budgets: our standalone <svg>
// (QrSvg::to_svg) at most qrcode's bytes, our path at most 1.02x the shortest stroked-run path
// of its matrix. Exits 1 when a budget is missed. The widget's rendered <svg> is held to the
// same qrcode bytes in tests/browser/qr.test.mjs, which imports this module.

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import QRCode from "qrcode";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PATH_BUDGET = 1.02;

/** Our figures for the samples: `{ name, payload, size, svg, path, shortest }` each. */
export function ourFigures() {
  const out = execFileSync("cargo", ["run", "-q", "--example", "qr_size", "--", "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 24,
  });
  return out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

/** The qrcode npm package's SVG for `payload`, as the comparison draws it. */
export function npmSvg(payload) {
  return QRCode.toString(payload, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}

/** Bytes of a string as UTF-8. */
export const bytes = (text) => Buffer.byteLength(text, "utf8");

/** Every sample with both figures, its ratios, and what it misses (empty when nothing). */
export async function figures() {
  const rows = [];
  for (const ours of ourFigures()) {
    const npm = bytes(await npmSvg(ours.payload));
    const row = {
      ...ours,
      npm,
      svgRatio: ours.svg / npm,
      pathRatio: ours.path / ours.shortest,
      misses: [],
    };
    if (ours.svg > npm) row.misses.push(`<svg> ${ours.svg} > qrcode ${npm} bytes`);
    if (row.pathRatio > PATH_BUDGET)
      row.misses.push(`path ${row.pathRatio.toFixed(3)}x the shortest (budget ${PATH_BUDGET})`);
    rows.push(row);
  }
  return rows;
}

function table(rows) {
  const cols = [
    ["payload", 28, (r) => r.name],
    ["chars", 6, (r) => [...r.payload].length],
    ["ours <svg>", 11, (r) => r.svg],
    ["qrcode <svg>", 13, (r) => r.npm],
    ["ours/qrcode", 12, (r) => r.svgRatio.toFixed(3)],
    ["path/shortest", 14, (r) => r.pathRatio.toFixed(3)],
  ];
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(cols[i][1]) : String(c).padStart(cols[i][1])));
  console.log(line(cols.map((c) => c[0])).join(" "));
  for (const r of rows) console.log(line(cols.map((c) => c[2](r))).join(" "));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes("--check");
  const rows = await figures();
  const missed = rows.filter((r) => r.misses.length > 0);
  if (!check) table(rows);
  for (const r of missed) console.error(`${r.name}: ${r.misses.join("; ")}`);
  console.log(
    missed.length === 0
      ? `QR budgets met for ${rows.length} payloads (<svg> <= qrcode's, path <= ${PATH_BUDGET}x shortest)`
      : `QR budgets missed for ${missed.length} of ${rows.length} payloads`,
  );
  process.exit(missed.length === 0 ? 0 : 1);
}
