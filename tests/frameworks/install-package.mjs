// Installs gopay-widget into the framework apps' workspace from the packed tarball, as npm
// installs a tarball with no dependencies and no scripts: `npm pack` of pkg/, unpacked as
// node_modules/gopay-widget. (The workspace's lockfile pins the frameworks; the package is
// left out of it, since the tarball changes with every build.)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gopay-widget-pack-"));
try {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", path.join(root, "pkg"), "--json", "--loglevel=error"], {
      cwd: tmp,
      encoding: "utf8",
    }),
  );
  const target = path.join(here, "node_modules/gopay-widget");
  fs.rmSync(target, { recursive: true, force: true });
  execFileSync("tar", ["-xzf", path.join(tmp, packed.filename), "-C", tmp]);
  fs.renameSync(path.join(tmp, "package"), target);
  console.log(`installed ${packed.filename} (${packed.files.length} files) into ${target}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
