// The Vite + React shop's own code (../vite-react/src) with React 18, this app's dependency:
// every import of react and react-dom, the widget package's component included, resolves to it.
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const own = (name: string) => path.resolve(import.meta.dirname, "node_modules", name);

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { react: own("react"), "react-dom": own("react-dom") } },
});
