import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A free UDP port on 127.0.0.1 that is also free for TCP (Kamailio and SIPp may open both). */
export async function freeUdpPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const socket = createSocket("udp4");
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        const { port: p } = socket.address();
        socket.close(() => resolve(p));
      });
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
  throw new Error("could not find a free UDP port on 127.0.0.1");
}
