/**
 * A desktop on the real SDK in jsdom, its signalling on a fresh loopback
 * emulator: what every jsdom test file starts from. Imports the redirect first
 * (the SDK captures the global WebSocket when it loads).
 */
import { EMULATOR_HOST, redirectSignaling } from "./jsdom-signaling.js";
import { createRecordedDesktop, type RecordedDesktop } from "@opencti/testkit";
import { TwilioEmulator, type TwilioEmulatorOptions } from "../../src/testing/index.js";
import { createTwilioConnector, type TwilioConnectorOptions } from "../../src/index.js";

/** A JWT-shaped token the emulator accepts (its "signature" is a placeholder). */
export const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJncmFudHMiOnt9fQ.c2VjcmV0LXNpZ25hdHVyZQ";

/** Starts an emulator and a recorded desktop on a connector to it; resolves once the link is connected. */
export async function startJsdomDesktop(
  emulatorOptions: TwilioEmulatorOptions = {},
  connector: Partial<TwilioConnectorOptions> = {},
): Promise<{ emulator: TwilioEmulator; rec: RecordedDesktop }> {
  const emulator = await TwilioEmulator.start(emulatorOptions);
  redirectSignaling(emulator.url);
  const conn = createTwilioConnector({
    getToken: () => Promise.resolve(TOKEN),
    logLevel: "silent",
    incomingSound: false,
    deviceOptions: { chunderw: EMULATOR_HOST, publishEvents: false },
    ...connector,
  });
  const rec = createRecordedDesktop(conn, { requestTimeoutMs: 3000, historyLimit: 1000, timeoutMs: 10_000 });
  await rec.next("link.changed", (e) => e.link === "connected");
  return { emulator, rec };
}
