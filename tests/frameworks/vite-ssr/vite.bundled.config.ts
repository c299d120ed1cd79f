// The server entry built whole (`vite build --ssr src/entry-server.ts -c vite.bundled.config.ts`):
// every package inside dist/server-bundled/entry-server.js, to deploy with no node_modules.
import { defineConfig } from "vite";

export default defineConfig({
  ssr: { noExternal: true },
  build: { outDir: "dist/server-bundled" },
});
