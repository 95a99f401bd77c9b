/**
 * A loopback TCP relay in front of Kamailio's WebSocket port: the test's
 * "network". Cutting it drops the agent's WebSocket exactly as a network
 * failure would, and refuses reconnects until it is restored.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface LinkRelay {
  readonly port: number;
  readonly url: string;
  /** Drop every connection and refuse new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** `port`: where it listens on 127.0.0.1 (a server appearing at an address the agent could not reach). Default: a free one. */
export async function startLinkRelay(targetPort: number, { port: listenPort = 0 }: { port?: number } = {}): Promise<LinkRelay> {
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
