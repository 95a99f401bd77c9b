/**
 * Builds the app with Vite into a temporary folder and serves it on
 * 127.0.0.1, by default with a strict Content-Security-Policy header on every
 * response (on top of the policy the build ships in its pages' <meta>), so a
 * test can prove the bundle needs no eval and no inline code. `cspHeader:
 * false` serves the build as a plain static server would: only the shipped
 * meta policy applies.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type InlineConfig } from "vite";

const APP_ROOT = fileURLToPath(new URL("../..", import.meta.url));

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

export interface BuiltApp {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** Where the build went, for tests that read the chunks. */
  readonly outDir: string;
  close(): Promise<void>;
}

export interface BuiltAppOptions {
  /** Vite config for the build; the app's own vite.config.ts when omitted. */
  readonly config?: InlineConfig;
  /** Called with each path that is not in the build (except /favicon.ico). */
  readonly onMissing?: (path: string) => void;
  /** The Vite mode: "production" (default) or "demo" (with the fake CCP and the Twilio emulator hook). */
  readonly mode?: string;
  /** false: no CSP header, only the policy the build ships. Default true (STRICT_CSP). */
  readonly cspHeader?: boolean;
}

export async function serveBuiltApp(options: BuiltAppOptions = {}): Promise<BuiltApp> {
  const outDir = mkdtempSync(join(tmpdir(), "agent-desktop-build-"));
  const config = options.config ?? { configFile: join(APP_ROOT, "vite.config.ts") };
  await build({ root: APP_ROOT, logLevel: "warn", ...(options.mode ? { mode: options.mode } : {}), ...config, build: { ...config.build, outDir, emptyOutDir: true } });
  const csp: Record<string, string> = options.cspHeader === false ? {} : { "Content-Security-Policy": STRICT_CSP };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(outDir, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", ...csp });
      res.end(body);
    } catch {
      if (path !== "/favicon.ico") options.onMissing?.(path);
      res.writeHead(404, csp).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    outDir,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
