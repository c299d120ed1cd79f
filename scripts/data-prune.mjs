// The data no live code can reach, zeroed (a step of scripts/shrink.mjs). Trapping the panics
// at once leaves their messages, file names and formatting tables in the data segments: the
// linker kept them for code that no longer exists, and no optimiser can tell which bytes of
// memory a program reads. The linker can: built with `--emit-relocs`, the linked module keeps
// its symbol table (each static's segment, offset and size) and a relocation for every
// reference to a static, from code (by the function it sits in) or from another static.
//
// A static is live when a function that is still in the module refers to it, or a live static
// does; every other static's bytes are zeroed, and wasm-opt's memory packing then drops them
// (memory starts zeroed). A reference is by symbol, whatever its offset, so an address the
// compiler folded to just before or after a static still keeps that static.

import fs from "node:fs";
import { constants, DATA_SEGMENT, dataBytes } from "./table-prune.mjs";

/** A reader of the wasm binary format's integers, strings and sections. */
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  u8() {
    return this.bytes[this.at++];
  }
  uleb() {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return Number(result);
    }
  }
  sleb() {
    let result = 0n;
    let shift = 0n;
    let b;
    do {
      b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return Number(result);
  }
  name() {
    const n = this.uleb();
    const s = Buffer.from(this.bytes.subarray(this.at, this.at + n)).toString("utf8");
    this.at += n;
    return s;
  }
}

const IMPORT = 2;
const CODE = 10;
const DATA = 11;
const CUSTOM = 0;
// Relocation types (LLVM's WasmRelocs.def) that carry an addend, and those that name a static.
const WITH_ADDEND = new Set([3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25]);
const MEMORY_ADDR = new Set([3, 4, 5, 11, 14, 15, 16, 17, 21, 23, 25]);
const SYMBOL_DATA = 1;
const SYMBOL_UNDEFINED = 0x10;
const SYMBOL_EXPLICIT_NAME = 0x40;

/**
 * The sections of a wasm module, in order: `id`, `header` (where the section begins),
 * `start` (its contents, after the size: what relocation offsets count from), `payload`
 * (after a custom section's name), `end`, `index` and, for a custom section, `name`.
 */
function sectionsOf(bytes) {
  const r = new Reader(bytes, 8);
  const sections = [];
  while (r.at < bytes.length) {
    const header = r.at;
    const id = r.u8();
    const size = r.uleb();
    const section = { id, header, start: r.at, end: r.at + size, index: sections.length };
    if (id === CUSTOM) section.name = r.name();
    section.payload = r.at;
    sections.push(section);
    r.at = section.end;
  }
  return sections;
}

/** What the linked module says of its statics: see the top of this file. */
export function readLinked(bytes) {
  const sections = sectionsOf(bytes);
  const one = (pred, what) => {
    const found = sections.filter(pred);
    if (found.length !== 1)
      throw new Error(`the linked module has ${found.length} ${what} sections`);
    return found[0];
  };

  let importedFunctions = 0;
  for (const s of sections.filter((s) => s.id === IMPORT)) {
    const q = new Reader(bytes, s.payload);
    for (let n = q.uleb(); n > 0; n--) {
      q.name();
      q.name();
      const kind = q.u8();
      if (kind === 0) {
        q.uleb();
        importedFunctions++;
      } else if (kind === 1) {
        q.u8();
        const flags = q.uleb();
        q.uleb();
        if (flags & 1) q.uleb();
      } else if (kind === 2) {
        const flags = q.uleb();
        q.uleb();
        if (flags & 1) q.uleb();
      } else if (kind === 3) {
        q.u8();
        q.u8();
      } else if (kind === 4) {
        q.u8();
        q.uleb();
      } else throw new Error(`unknown import kind ${kind}`);
    }
  }

  const code = one((s) => s.id === CODE, "code");
  const bodies = [];
  {
    const q = new Reader(bytes, code.payload);
    for (let i = 0, n = q.uleb(); i < n; i++) {
      const size = q.uleb();
      bodies.push({
        index: importedFunctions + i,
        start: q.at - code.payload,
        end: q.at - code.payload + size,
      });
      q.at += size;
    }
  }

  const data = one((s) => s.id === DATA, "data");
  const segments = [];
  {
    const q = new Reader(bytes, data.payload);
    for (let n = q.uleb(); n > 0; n--) {
      const flags = q.uleb();
      if (flags === 1) throw new Error("a passive data segment: not expected");
      if (flags === 2) q.uleb();
      if (q.u8() !== 0x41) throw new Error("a data segment's offset is not an i32.const");
      const base = q.sleb();
      if (q.u8() !== 0x0b) throw new Error("a data segment's offset is not a constant");
      const size = q.uleb();
      segments.push({ base, start: q.at - data.payload, size });
      q.at += size;
    }
  }

  const names = new Map();
  {
    const s = one((s) => s.name === "name", "name");
    const q = new Reader(bytes, s.payload);
    while (q.at < s.end) {
      const sub = q.u8();
      const size = q.uleb();
      const end = q.at + size;
      if (sub === 1) {
        for (let n = q.uleb(); n > 0; n--) names.set(q.uleb(), q.name());
      }
      q.at = end;
    }
  }

  const symbols = [];
  {
    const s = one((s) => s.name === "linking", "linking");
    const q = new Reader(bytes, s.payload);
    if (q.uleb() !== 2) throw new Error("the linking section is not version 2");
    while (q.at < s.end) {
      const sub = q.u8();
      const size = q.uleb();
      const end = q.at + size;
      if (sub === 8) {
        for (let n = q.uleb(); n > 0; n--) {
          const kind = q.u8();
          const flags = q.uleb();
          const symbol = { kind };
          if (kind === SYMBOL_DATA) {
            symbol.name = q.name();
            if (!(flags & SYMBOL_UNDEFINED)) {
              const segment = segments[q.uleb()];
              symbol.address = segment.base + q.uleb();
              symbol.size = q.uleb();
            }
          } else if (kind === 3) {
            q.uleb();
          } else {
            symbol.index = q.uleb();
            if (!(flags & SYMBOL_UNDEFINED) || flags & SYMBOL_EXPLICIT_NAME) symbol.name = q.name();
          }
          symbols.push(symbol);
        }
      }
      q.at = end;
    }
  }
  if (!symbols.some((s) => s.kind === SYMBOL_DATA && s.size !== undefined)) {
    throw new Error("the linked module has no data symbols: was it linked with --emit-relocs?");
  }

  // Each reference to a static: from the function its code offset is in, or from the static
  // its data offset is in.
  const fromCode = new Map();
  const fromData = [];
  const bodyAt = (offset) => {
    let lo = 0;
    let hi = bodies.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offset < bodies[mid].start) hi = mid - 1;
      else if (offset >= bodies[mid].end) lo = mid + 1;
      else return bodies[mid];
    }
    throw new Error(`a relocation at code offset ${offset} is in no function`);
  };
  const segmentAddress = (offset) => {
    const seg = segments.find((g) => offset >= g.start && offset < g.start + g.size);
    if (!seg) throw new Error(`a relocation at data offset ${offset} is in no segment`);
    return seg.base + (offset - seg.start);
  };
  let relocations = 0;
  for (const s of sections.filter((s) => s.name?.startsWith("reloc."))) {
    const q = new Reader(bytes, s.payload);
    const target = sections[q.uleb()];
    for (let n = q.uleb(); n > 0; n--) {
      const type = q.u8();
      const offset = q.uleb();
      const symbol = q.uleb();
      if (WITH_ADDEND.has(type)) q.sleb();
      if (!MEMORY_ADDR.has(type)) continue;
      relocations++;
      if (target === code) {
        const f = bodyAt(offset).index;
        if (!fromCode.has(f)) fromCode.set(f, new Set());
        fromCode.get(f).add(symbol);
      } else if (target === data) {
        fromData.push({ address: segmentAddress(offset), symbol });
      }
    }
  }
  if (relocations === 0) throw new Error("the linked module has no relocations to statics");
  return { names, symbols, fromCode, fromData };
}

/**
 * The address ranges [start, end) of the statics that neither a function of `liveFunctions`
 * (indices in the linked module) refers to, nor any static they reach, nor any address in
 * `values` (the constants of the code as it is now) falls in; minus any byte a live static
 * also covers.
 */
export function deadRanges(linked, liveFunctions, values) {
  const { symbols, fromCode, fromData } = linked;
  const defined = symbols
    .map((s, i) => ({ ...s, i }))
    .filter((s) => s.kind === SYMBOL_DATA && s.size !== undefined);
  const reached = new Set();
  const stack = [];
  const reach = (i) => {
    const s = symbols[i];
    if (s?.kind !== SYMBOL_DATA || s.size === undefined) {
      throw new Error(`a relocation names symbol ${i}, which is not a defined static`);
    }
    if (!reached.has(i)) {
      reached.add(i);
      stack.push(i);
    }
  };
  for (const [f, refs] of fromCode) if (liveFunctions.has(f)) for (const s of refs) reach(s);
  // Any static an address of the code falls in (it may come from code the linker did not
  // write, or that is no longer where the linker put it).
  const byStart = [...defined].sort((a, b) => a.address - b.address);
  const containing = (address) => {
    const found = [];
    for (const s of byStart) {
      if (s.address > address) break;
      if (address < s.address + Math.max(s.size, 1)) found.push(s.i);
    }
    return found;
  };
  for (const v of values) for (const i of containing(v)) reach(i);
  // References made from inside each static, by the static their address falls in.
  const outgoing = new Map();
  for (const { address, symbol } of fromData) {
    const holders = containing(address);
    if (holders.length === 0) reach(symbol); // in no known static: kept
    for (const h of holders) {
      if (!outgoing.has(h)) outgoing.set(h, []);
      outgoing.get(h).push(symbol);
    }
  }
  while (stack.length) for (const s of outgoing.get(stack.pop()) ?? []) reach(s);

  const liveRanges = defined
    .filter((s) => reached.has(s.i))
    .map((s) => [s.address, s.address + s.size]);
  const dead = [];
  for (const s of defined) {
    if (reached.has(s.i) || s.size === 0) continue;
    let pieces = [[s.address, s.address + s.size]];
    for (const [a, b] of liveRanges) {
      pieces = pieces.flatMap(([x, y]) =>
        b <= x || a >= y ? [[x, y]] : [...(a > x ? [[x, a]] : []), ...(b < y ? [[b, y]] : [])],
      );
    }
    dead.push(...pieces);
  }
  return dead;
}

/** Reads the linked module from a file. */
export const readLinkedFile = (file) => readLinked(new Uint8Array(fs.readFileSync(file)));

/**
 * The printed module `wat` with every byte of its data segments that falls in one of `ranges`
 * zeroed; returns the text and the number of bytes zeroed.
 */
export function zeroData(wat, ranges) {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let zeroed = 0;
  const lines = wat.split("\n").map((line) => {
    if (!line.startsWith(" (data ")) return line;
    const m = DATA_SEGMENT.exec(line);
    if (!m) throw new Error("a data segment did not parse");
    const [, label, at, body] = m;
    const base = Number(at);
    const bytes = dataBytes(body);
    let changed = false;
    for (const [a, b] of sorted) {
      for (let x = Math.max(a, base); x < Math.min(b, base + bytes.length); x++) {
        if (bytes[x - base] !== 0) {
          bytes[x - base] = 0;
          zeroed++;
          changed = true;
        }
      }
    }
    if (!changed) return line;
    const printed = [...bytes].map((v) => `\\${v.toString(16).padStart(2, "0")}`).join("");
    return ` (data ${label}(i32.const ${base}) "${printed}")`;
  });
  return { wat: lines.join("\n"), zeroed };
}

/**
 * Every address the code of the printed module `wat` holds as a constant: i32 constants,
 * both halves of i64 constants, and the offsets of loads and stores (not the data segments'
 * own offsets).
 */
export function codeValues(wat) {
  const code = wat
    .split("\n")
    .filter((line) => !line.startsWith(" (data "))
    .join("\n");
  const values = constants(code);
  for (const m of code.matchAll(/\boffset=(\d+)/g)) values.add(Number(m[1]));
  return values;
}

/** The names of the functions the printed module defines (not those it imports). */
export function definedFunctions(wat) {
  const names = [];
  for (const m of wat.matchAll(/^ \(func \$("(?:[^"\\]|\\.)*"|[^\s()"]+)/gm)) {
    const raw = m[1];
    names.push(raw.startsWith('"') ? dataBytes(raw.slice(1, -1)).toString("utf8") : raw);
  }
  return names;
}

/** The sections the linker writes for tools after it, which wasm-bindgen copies along. */
export const isLinkingSection = (name) => name === "linking" || name.startsWith("reloc.");

/**
 * `bytes` (a wasm module) without the custom sections whose names `drop` accepts: wasm-bindgen
 * copies the linking and relocation sections into its output, where they no longer describe
 * the code.
 */
export function withoutCustomSections(bytes, drop) {
  const kept = sectionsOf(bytes).filter((s) => !(s.id === CUSTOM && drop(s.name)));
  return Buffer.concat([bytes.subarray(0, 8), ...kept.map((s) => bytes.subarray(s.header, s.end))]);
}
