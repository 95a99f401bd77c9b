/**
 * The implementation file a Pega customer deploys. In production it is
 * `dist/pega.global.js` (which defines window.OpenCTIPega) plus the few lines
 * below; here window.OpenCTIPega is assembled from source so the dev server
 * needs no build. The connector is the simulator; any connector works.
 */
import "./globals.ts";
import { createDesktop } from "@opencti/core";
import * as Pega from "@opencti/pega";
import { createSimulator } from "@opencti/simulator";

window.OpenCTIPega = { ...Pega, createDesktop };

// The customer's part: a connector, a desktop, and the implementation registered under a name.
const { server, connector } = createSimulator({ latencyMs: 40, farEnds: { "+15550199": "answer" }, answerAfterMs: 800 });
const desktop = window.OpenCTIPega.createDesktop({ connector, requestTimeoutMs: 8000 });
// Voice AI: the configuration set's values (example ones here); each connected call gets its own AI session id.
const voiceAi = { channelId: "example-voice-ai-channel", isolationId: "example-isolation", languageModel: "en_US", speechModel: "default", recordOnly: false };
window.pegaDesktopImplementation = window.OpenCTIPega.createPegaImplementation(desktop, { media: "Phone", voiceAi });
window.pegaExampleServer = server;
