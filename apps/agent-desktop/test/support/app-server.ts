/**
 * Serves the sample app for end-to-end tests: a Vite dev server on 127.0.0.1
 * and a free port, with packages resolved from source (no build needed).
 * Open `${url}?connector=NAME&…options` in the browser.
 */
import { fileURLToPath } from "node:url";
import { createServer, type ViteDevServer } from "vite";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface AppServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  const server: ViteDevServer = await createServer({
    root,
    configFile: `${root}vite.config.ts`,
    logLevel: "warn",
    server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === "string") throw new Error("The app server did not bind a port");
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}
