// The sample app. Packages resolve from source (no build needed for dev or
// tests); every *.html in this folder is a page of the build, so pages added
// later (pega.html) are built without touching this file.
//
// Two build modes: `vite build` (production) ships the connectors and nothing
// for testing; `vite build --mode demo` (and the dev server) also carries the
// no-account demo transports (the fake Amazon Connect CCP, the Twilio
// emulator hook), which the code guards with `import.meta.env`, so the
// production build does not emit them at all.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, loadEnv } from "vite";
import { sourceAliases } from "../../vitest.shared.ts";
import { cspMetaPlugin } from "./csp.config.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
const pages = Object.fromEntries(
  readdirSync(root)
    .filter((file) => file.endsWith(".html"))
    .map((file) => [file.slice(0, -".html".length), `${root}${file}`]),
);

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, root, "OPENCTI_CSP_");
  return {
    root,
    // Every built page carries the Content-Security-Policy (csp.config.ts).
    plugins: [
      cspMetaPlugin({
        ...(env.OPENCTI_CSP_SIP_SERVERS !== undefined ? { sipServers: env.OPENCTI_CSP_SIP_SERVERS } : {}),
        ...(env.OPENCTI_CSP_CCP_ORIGINS !== undefined ? { ccpOrigins: env.OPENCTI_CSP_CCP_ORIGINS } : {}),
        ...(env.OPENCTI_CSP_CONNECT !== undefined ? { connect: env.OPENCTI_CSP_CONNECT } : {}),
        demo: mode === "demo",
      }),
    ],
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
  };
});
