/**
 * In jsdom the SDK opens `wss://<chunderw>/signal` with the global WebSocket,
 * captured when its module loads: install a `ws` WebSocket that goes to the
 * current emulator instead, before anything imports the SDK.
 */
import { WebSocket as NodeWebSocket } from "ws";

let target = "";

/** Points the SDK's signalling socket at an emulator URL (ws://127.0.0.1:port/signal). */
export function redirectSignaling(url: string): void {
  target = url;
}

export const EMULATOR_HOST = "voice-js.emulator.test";

class RedirectingWebSocket extends NodeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/[^/]+\/signal/, target), protocols);
  }
}
(globalThis as { WebSocket: unknown }).WebSocket = RedirectingWebSocket;
