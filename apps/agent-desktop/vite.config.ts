// The sample app. Packages resolve from source (no build needed for dev or
// tests); every *.html in this folder is a page of the build, so pages added
// later (pega.html) are built without touching this file.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { sourceAliases } from "../../vitest.shared.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
const pages = Object.fromEntries(
  readdirSync(root)
    .filter((file) => file.endsWith(".html"))
    .map((file) => [file.slice(0, -".html".length), `${root}${file}`]),
);

export default defineConfig({
  root,
  resolve: { alias: sourceAliases },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
  build: {
    target: "es2022",
    // No inline scripts or eval: the built app runs under a strict CSP.
    modulePreload: { polyfill: false },
    // Vendor SDKs (amazon-connect-streams) are large; they load only when chosen.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: { input: pages },
  },
});
