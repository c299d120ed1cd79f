// Prints what the framework tests observed (artifacts/frameworks/*.json), one row a framework.
import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, COLUMNS } from "./harness.mjs";

const dir = path.join(ARTIFACTS, "frameworks");
const rows = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))
  : [];
const cell = (value) =>
  value === true ? "yes" : value === false ? "NO" : value === undefined ? "-" : String(value);
const header = ["framework", ...Object.values(COLUMNS)];
const body = rows.map((row) => [row.framework, ...Object.keys(COLUMNS).map((k) => cell(row[k]))]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log("\nFramework apps, as the tests observed them (NO: failed; -: not reached):");
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of body) console.log(line(row));
