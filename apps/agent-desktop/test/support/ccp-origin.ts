/**
 * A second local origin for the fake Amazon Connect CCP: a Vite server on
 * 127.0.0.1 and a free port serving the given files (packages resolved from
 * source), as the CCP is served from its own origin in a real deployment.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type ViteDevServer } from "vite";
import { sourceAliases } from "../../../../vitest.shared.ts";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));

/** Serves `files` (path → content, e.g. `{ "ccp-v2/index.html": … }`); resolves with the origin, `http://127.0.0.1:<port>`. */
export async function serveCcpOrigin(files: Readonly<Record<string, string>>): Promise<{ origin: string; close(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), "fake-ccp-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const server: ViteDevServer = await createServer({
    root,
    configFile: false,
    logLevel: "warn",
    resolve: { alias: sourceAliases },
    server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false, watch: null, fs: { allow: [root, repo] } },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === "string") throw new Error("The fake CCP server did not bind a port");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
