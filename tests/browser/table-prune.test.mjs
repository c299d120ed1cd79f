// The build step that prunes the wasm's function table (scripts/table-prune.mjs), on a small
// module: an entry stays when any constant or aligned data word names its index, and only
// then; the pruned module still validates and runs, and calling a pruned entry traps.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { dataBytes, pointerValues, pruneTable } from "../../scripts/table-prune.mjs";
import { ROOT } from "./harness.mjs";

const wasmAs = path.join(ROOT, "node_modules/.bin/wasm-as");

// Entries 1..5. Index 1 is an i32.const, 2 an aligned data word, 3 the high half of an
// i64.const; 4 appears only as a misaligned data word, 5 nowhere.
const MODULE = `(module
 (type $t (func (result i32)))
 (memory $m 1)
 (data $d (i32.const 1024) "\\02\\00\\00\\00\\ff\\04\\00\\00\\00")
 (table $tb 6 6 funcref)
 (func $one (result i32) (i32.const 1))
 (func $two (result i32) (i32.const 20))
 (func $three (result i32) (drop (i64.const 12884901888)) (i32.const 30))
 (func $four (result i32) (i32.const 40))
 (func $five (result i32) (i32.const 50))
 (func $call (export "call") (param $i i32) (result i32) (call_indirect (type $t) (local.get $i)))
 (elem $e (table $tb) (i32.const 1) func $one $two $three $four $five)
)
`;

test("data strings as wasm-dis prints them decode to their bytes", () => {
  assert.deepEqual(
    [...dataBytes(String.raw`a\00\ff\t\n\r\"\'\\`)],
    [97, 0, 255, 9, 10, 13, 34, 39, 92],
  );
  assert.throws(() => dataBytes(String.raw`\q`), /unknown escape/);
});

test("pointer values: i32 constants, both halves of i64 constants, aligned data words", () => {
  const values = pointerValues(MODULE);
  for (const v of [1, 20, 30, 3, 0, 2]) assert.ok(values.has(v), `${v}`);
  assert.ok(!values.has(4), "a misaligned word is not a pointer");
  assert.ok(!values.has(5));
});

test("the table keeps the entries something names and traps for the rest", async () => {
  const { wat, pruned, entries } = pruneTable(MODULE);
  assert.equal(entries, 5);
  assert.equal(pruned, 2);
  const elem = wat.split("\n").find((l) => l.startsWith(" (elem "));
  assert.match(elem, /func \$one \$two \$three \$__pruned_from_table \$__pruned_from_table\)$/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "table-prune-"));
  try {
    fs.writeFileSync(path.join(dir, "m.wat"), wat);
    execFileSync(wasmAs, [path.join(dir, "m.wat"), "-o", path.join(dir, "m.wasm")]);
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "m.wasm")));
    const call = instance.exports.call;
    assert.equal(call(1), 1);
    assert.equal(call(3), 30);
    assert.throws(() => call(4), WebAssembly.RuntimeError);
    assert.throws(() => call(5), WebAssembly.RuntimeError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a module whose table is not one list of functions is refused", () => {
  assert.throws(() => pruneTable(MODULE.replace(/ \(elem [^\n]*\n/, "")), /one element segment/);
});

test("a table that JS or the code itself can change is left to itself", () => {
  assert.throws(
    () => pruneTable(MODULE.replace(" (elem ", ' (export "t" (table $tb))\n (elem ')),
    /exported or written at run time/,
  );
  assert.throws(
    () =>
      pruneTable(
        MODULE.replace(
          "(i32.const 50))",
          "(table.set $tb (i32.const 5) (ref.func $one)) (i32.const 50))",
        ),
      ),
    /exported or written at run time/,
  );
});
