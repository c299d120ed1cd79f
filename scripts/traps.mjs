// Functions made plain traps in a module read by binaryen.js: what scripts/shrink.mjs does to
// the widget's panic paths and scripts/shrink-qr.mjs to the QR module's.
import binaryen from "binaryen";

/** The functions of a module in index order (binaryen's function infos). */
export function functionInfos(module) {
  const infos = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    infos.push(binaryen.getFunctionInfo(module.getFunctionByIndex(i)));
  }
  return infos;
}

/** Every function of `module` `trap(name)` says yes to gets a body of `unreachable`; their infos. */
export function trapFunctions(module, trap) {
  const traps = functionInfos(module).filter((f) => !f.module && trap(f.name));
  for (const f of traps) {
    module.removeFunction(f.name);
    module.addFunction(f.name, f.params, f.results, [], module.unreachable());
  }
  return traps;
}
