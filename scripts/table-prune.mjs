// The function table, pruned (a step of scripts/shrink.mjs). The linker puts every function
// whose address the Rust code takes into the table, and keeps it there after wasm-opt has
// removed the code that took it (the panics that trap at once, formatting that is never
// reached): a table entry is never removed, since any call_indirect could name it.
//
// A table index in the module is a function pointer, and a function pointer is a constant:
// an `i32.const` in the code (or one half of an `i64.const`, where two stores were merged),
// or a 4-byte word of a data segment (a vtable, a static). Every index that appears nowhere
// as such can never be called: its entry is replaced by one function that traps, and
// wasm-opt then removes the functions only the table kept. Conservative by construction:
// any constant or data word that happens to equal an index keeps that entry.

import { execFileSync } from "node:child_process";
import fs from "node:fs";

const ESCAPES = { t: 9, n: 10, r: 13, '"': 34, "'": 39, "\\": 92 };

/** The bytes of a data string as wasm-dis prints it. */
export function dataBytes(text) {
  const out = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c !== "\\") {
      for (const b of Buffer.from(c, "utf8")) out.push(b);
      i += 1;
    } else if (/^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (text[i + 1] in ESCAPES) {
      out.push(ESCAPES[text[i + 1]]);
      i += 2;
    } else {
      throw new Error(`unknown escape \\${text[i + 1]} in a data segment`);
    }
  }
  return Buffer.from(out);
}

/** The i32 constants, and both halves of the i64 constants, of printed wasm text. */
export function constants(text) {
  const values = new Set();
  for (const m of text.matchAll(/\bi32\.const (-?\d+)/g)) values.add(Number(m[1]) >>> 0);
  for (const m of text.matchAll(/\bi64\.const (-?\d+)/g)) {
    const v = BigInt.asUintN(64, BigInt(m[1]));
    values.add(Number(v & 0xffffffffn));
    values.add(Number(v >> 32n));
  }
  return values;
}

/** A line of printed wasm that holds an active data segment: label, offset and bytes. */
export const DATA_SEGMENT = /^ \(data ((?:\S+ )?)\(i32\.const (\d+)\) "((?:[^"\\]|\\.)*)"\)$/;

/** The data segments of the printed module, each `{ base, bytes }`; all must parse. */
export function dataSegments(wat) {
  const lines = wat.split("\n").filter((l) => l.startsWith(" (data "));
  return lines.map((line) => {
    const m = DATA_SEGMENT.exec(line);
    if (!m) throw new Error("a data segment did not parse");
    return { base: Number(m[2]), bytes: dataBytes(m[3]) };
  });
}

/** Every value a function pointer could have in the printed module. */
export function pointerValues(wat) {
  const values = constants(wat);
  // The memory image the segments write (zero between them: memory starts zeroed, and
  // wasm-opt cuts zero runs out of segments, even the zero bytes of one word).
  const placed = dataSegments(wat);
  if (placed.length === 0) return values;
  const low = Math.min(...placed.map((p) => p.base)) & ~3;
  const high = Math.max(...placed.map((p) => p.base + p.bytes.length));
  const image = Buffer.alloc(high - low + 4);
  for (const p of placed) p.bytes.copy(image, p.base - low);
  for (let at = 0; at + 4 <= image.length; at += 4) values.add(image.readUInt32LE(at));
  return values;
}

/** The name of the one function pruned entries are given: it traps. */
export const TRAP_NAME = "__pruned_from_table";
const TRAP = `$${TRAP_NAME}`;

/**
 * Rewrites the printed module `wat` with every table entry whose index no pointer value in it
 * names replaced by a trap; returns the new text and how many entries went.
 */
export function pruneTable(wat) {
  const lines = wat.split("\n");
  const elems = lines.flatMap((line, i) => (line.startsWith(" (elem ") ? [i] : []));
  if (elems.length !== 1) throw new Error(`expected one element segment, found ${elems.length}`);
  const [at] = elems;
  // `func` is printed only when the module's features include reference types.
  const m = /^( \(elem \S+ (?:\(table \S+\) )?\(i32\.const (\d+)\) (?:func )?)(.*)\)$/.exec(
    lines[at],
  );
  if (!m)
    throw new Error(
      `the element segment is not an active list of functions: ${lines[at].slice(0, 80)}`,
    );
  const offset = Number(m[2]);
  // Entries reached otherwise than by an index the module holds: from JS, or written at run time.
  const table = /\(table (\$\S+)\)/.exec(lines[at])?.[1] ?? "$0";
  const t = table.replace(/[$.*+?^()[\]{}|\\]/g, "\\$&");
  if (
    new RegExp(
      `\\(export "[^"]*" \\(table ${t}\\)|\\(table\\.(set|grow|copy|init|fill) ${t}\\b`,
    ).test(wat)
  ) {
    throw new Error(
      `the table ${table} is exported or written at run time: its entries cannot be judged`,
    );
  }
  const names = [...m[3].matchAll(/\$"(?:[^"\\]|\\.)*"|\$[^\s)]+/g)].map((n) => n[0]);
  if (names.join(" ") !== m[3].trim()) throw new Error("the element segment's names did not parse");
  const values = pointerValues(wat);
  let pruned = 0;
  const kept = names.map((n, i) => {
    if (values.has(offset + i)) return n;
    pruned += 1;
    return TRAP;
  });
  lines[at] = `${m[1]}${kept.join(" ")})`;
  if (!new RegExp(`^ \\(func \\${TRAP}\\b`, "m").test(wat)) {
    lines.splice(at, 0, ` (func ${TRAP} unreachable)`);
  }
  return { wat: lines.join("\n"), pruned, entries: names.length };
}

/** Writes the printed module `wat` as `wasmPath`; `names` keeps its names (`-g`). */
export function assemble(wat, wasmPath, { bin, features, names = false }) {
  const watPath = `${wasmPath}.wat`;
  fs.writeFileSync(watPath, wat);
  execFileSync(bin("wasm-as"), [...features, ...(names ? ["-g"] : []), watPath, "-o", wasmPath], {
    stdio: "inherit",
  });
  fs.rmSync(watPath);
}

/**
 * pruneTable on a wasm file in place (through wasm-dis and wasm-as), with the pointer values
 * read from the module itself: an optimised copy is no evidence, since wasm-opt rewrites
 * the constants of the functions it merges. Then the functions only the pruned entries kept
 * are removed. `names`: keep the function names (for a profiler). Returns how many entries
 * went, of how many, and the module as it is then, printed.
 */
export function pruneTableFile(wasmPath, { bin, features, names = false }) {
  const options = { bin, features, names };
  // Again while a round frees more: a removed function's own pointers go with it.
  let pruned = -1;
  for (;;) {
    const wat = execFileSync(bin("wasm-dis"), [wasmPath], { maxBuffer: 1 << 28 }).toString();
    const result = pruneTable(wat);
    if (result.pruned === pruned) return { pruned, entries: result.entries, wat };
    pruned = result.pruned;
    assemble(result.wat, wasmPath, options);
    execFileSync(bin("wasm-opt"), [
      "--remove-unused-module-elements",
      ...features,
      ...(names ? ["-g"] : []),
      "-o",
      wasmPath,
      wasmPath,
    ]);
  }
}
