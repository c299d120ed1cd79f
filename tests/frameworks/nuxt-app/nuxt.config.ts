export default defineNuxtConfig({
  compatibilityDate: "2025-07-15",
  devtools: { enabled: false },
  telemetry: false,
  // Templates type-checked strictly (vue-tsc, `nuxt typecheck`).
  typescript: { tsConfig: { vueCompilerOptions: { strictTemplates: true } } },
});
