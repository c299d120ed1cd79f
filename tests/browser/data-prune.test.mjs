// The build step that zeroes the statics no live code refers to (scripts/data-prune.mjs): which
// statics live, on a made-up linked module; the bytes zeroed in a printed module; the stale
// sections dropped; and, on the package as built, that the statics the widget shows are there.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import {
  codeValues,
  deadRanges,
  definedFunctions,
  withoutCustomSections,
  zeroData,
} from "../../scripts/data-prune.mjs";
import { ROOT } from "./harness.mjs";

// Statics: 0 "A" at 100 (4 bytes), 1 "B" at 104 (4), 2 "C" at 108 (8), 3 "D" at 116 (4),
// 4 "E" at 120 (4), and 5, a function symbol. Function 7 refers to A at an address folded to
// just before it (A - 8), function 8 to C; C holds a pointer to D.
const linked = {
  symbols: [
    { kind: 1, name: "A", address: 100, size: 4 },
    { kind: 1, name: "B", address: 104, size: 4 },
    { kind: 1, name: "C", address: 108, size: 8 },
    { kind: 1, name: "D", address: 116, size: 4 },
    { kind: 1, name: "E", address: 120, size: 4 },
    { kind: 0, index: 7, name: "f" },
  ],
  fromCode: new Map([
    [7, new Set([0])],
    [8, new Set([2])],
  ]),
  fromData: [{ address: 112, symbol: 3 }],
  names: new Map(),
};

test("a static lives by a live function's relocation, by a constant in it, or through a live static", () => {
  // Both functions live, and a constant that falls inside E.
  assert.deepEqual(deadRanges(linked, new Set([7, 8]), new Set([1, 122])), [[104, 108]]);
  // Function 8 gone: C and the D it points to go with it.
  assert.deepEqual(deadRanges(linked, new Set([7]), new Set()), [
    [104, 108],
    [108, 116],
    [116, 120],
    [120, 124],
  ]);
  // A constant inside C keeps C, and so D.
  assert.deepEqual(deadRanges(linked, new Set([7]), new Set([113])), [
    [104, 108],
    [120, 124],
  ]);
});

test("a relocation to something that is not a defined static is refused", () => {
  const bad = { ...linked, fromCode: new Map([[7, new Set([5])]]) };
  assert.throws(() => deadRanges(bad, new Set([7]), new Set()), /not a defined static/);
});

test("zeroing rewrites only the bytes in the ranges, across segments", () => {
  const wat = [
    " (memory $0 17)",
    ' (data $a (i32.const 100) "abcd\\01\\02")',
    ' (data $b (i32.const 110) "xyz")',
    ' (data $c (i32.const 200) "keep")',
  ].join("\n");
  const { wat: out, zeroed } = zeroData(wat, [
    [102, 111],
    [300, 400],
  ]);
  assert.equal(zeroed, 5);
  assert.match(out, /\(data \$a \(i32\.const 100\) "\\61\\62\\00\\00\\00\\00"\)/);
  assert.match(out, /\(data \$b \(i32\.const 110\) "\\00\\79\\7a"\)/);
  assert.match(out, /\(data \$c \(i32\.const 200\) "keep"\)/);
});

test("the code's constants: i32, both halves of i64, load and store offsets, not segment offsets", () => {
  const wat = [
    " (func $f (result i32)",
    "  (i32.load offset=1048580 (i32.const 7))",
    "  (drop (i64.const 4294967298))",
    " )",
    ' (data $d (i32.const 1048576) "x")',
  ].join("\n");
  assert.deepEqual(
    [...codeValues(wat)].sort((a, b) => a - b),
    [1, 2, 7, 1048580],
  );
  assert.deepEqual(definedFunctions(`${wat}\n (func $"a b\\"c" (nop))`), ["f", 'a b"c']);
});

test("the linking and relocation sections are dropped, every other section kept", () => {
  const custom = (name, body) => {
    const payload = Buffer.concat([
      Buffer.from([name.length]),
      Buffer.from(name),
      Buffer.from(body),
    ]);
    return Buffer.concat([Buffer.from([0, payload.length]), payload]);
  };
  const header = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const type = Buffer.from([1, 1, 0]);
  const module = Buffer.concat([
    header,
    custom("linking", [2]),
    type,
    custom("reloc.CODE", [0, 0]),
    custom("name", []),
  ]);
  const drop = (s) => s === "linking" || s.startsWith("reloc.");
  assert.deepEqual(
    withoutCustomSections(module, drop),
    Buffer.concat([header, type, custom("name", [])]),
  );
});

test("the built package still carries every text the widget shows", () => {
  const wasm = fs.readFileSync(path.join(ROOT, "pkg/gopay_widget_wasm_bg.wasm"));
  for (const text of [
    "Pay with GoPay or any QRIS app",
    "Bayar dengan GoPay atau aplikasi QRIS apa pun",
    "The merchant has received your payment for this order.",
    "the charge is not valid JSON",
  ]) {
    assert.ok(wasm.includes(Buffer.from(text)), text);
  }
  // The stylesheet is the script's (pure.js adopts it), no longer the wasm's.
  const script = fs.readFileSync(path.join(ROOT, "pkg/pure.js"), "utf8");
  assert.ok(script.includes("--gopay-accent"));
  assert.ok(!wasm.includes(Buffer.from("--gopay-accent")));
  for (const gone of [
    "is not a char boundary",
    "entity not found",
    "LazyCell instance has previously been poisoned",
  ]) {
    assert.ok(!wasm.includes(Buffer.from(gone)), `${gone} is still in the wasm`);
  }
});
