/** The conformance harness: the SIP connector against the lab's Kamailio and SIPp. */
import type { Call, Connector, ConnectorContext, LinkState } from "@opencti/core";
import type { ConnectorHarness, HarnessVariant } from "@opencti/testkit";
import { createSipConnector, type SipConnectorOptions } from "../src/index.js";
import { labConnectorOptions, type SipLab } from "../src/testing/index.js";
import type { VoiceAiService } from "./voice-ai.js";

/**
 * The harness; a `credentials: "bad"` variant registers with a password Kamailio's digest auth refuses.
 * With `voiceAi`, the connector follows that agent-stream service and the driver posts transcripts and
 * insights to it by SIP Call-ID, as a media server would.
 */
export function createSipHarness(lab: SipLab, overrides: Partial<SipConnectorOptions> = {}, variant: HarnessVariant = {}, voiceAi?: VoiceAiService): ConnectorHarness {
  if (variant.microphone) throw new Error("the SIP harness's media is signalling-only (no getUserMedia): microphoneDenied is not declared");
  const base = labConnectorOptions(lab, { ...overrides, ...(variant.credentials === "bad" ? { password: `not-${lab.password}` } : {}) });
  /** The SIP user, the agent's id at the agent-stream service. */
  const user = /^sips?:([^@]+)@/.exec(base.uri)![1]!;
  const options: SipConnectorOptions = voiceAi ? { ...base, agentStream: voiceAi.source(user) } : base;
  // A partial and the final after it are one utterance (one segment id) per call.
  const utterances = new Map<string, string>();
  let utteranceCount = 0;
  const inner = createSipConnector(options);
  // The harness watches the link the connector reports, so restoreLink can wait for the reconnect to finish.
  let link: LinkState = "disconnected";
  const connector: Connector = Object.assign(Object.create(inner) as Connector, {
    start: (ctx: ConnectorContext) =>
      inner.start(
        Object.assign(Object.create(ctx) as ConnectorContext, {
          setLink(state: LinkState, reason?: string) {
            link = state;
            ctx.setLink(state, reason);
          },
        }),
      ),
    stop: () => inner.stop(),
  });
  const linkIs = async (state: LinkState): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (link !== state) {
      if (Date.now() > deadline) throw new Error(`the connector's link never became ${state} (it is ${link})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const id = (call: Call): string => call.vendorCallId;
  let lastInbound: string | undefined;
  return {
    connector,
    destinations: {
      outbound: lab.destination("poke"),
      transferTarget: lab.destination("auto"),
      consultTarget: lab.destination("poke"),
      busy: lab.destination("busy"),
      notFound: lab.destination("notFound"),
      unavailable: lab.destination("unavailable"),
    },
    driver: {
      async stallNext() {
        if (!lastInbound) throw new Error("no call to stall: ring one first");
        await lab.poke(lastInbound, "XSTALL");
      },
      async ringInbound(spec) {
        const headers: [string, string][] = Object.entries(spec.data ?? {}).map(([k, v]) => [`X-Data-${k}`, v]);
        if (spec.queue !== undefined) headers.push(["X-Queue", spec.queue]);
        lastInbound = (await lab.ring(options.uri, { from: spec.from, ...(spec.fromName !== undefined ? { fromName: spec.fromName } : {}), ...(spec.to !== undefined ? { to: spec.to } : {}), headers })).callId;
      },
      remoteAnswer: (call) => lab.answer(id(call)),
      remoteHangup: (call) => lab.poke(id(call), "XHANGUP"),
      abandon: (call) => lab.poke(id(call), "XABANDON"),
      // The caller's side CANCELs with Reason: SIP;cause=480, as a proxy's ring timer does; Kamailio relays the Reason.
      missInbound: (call) => lab.poke(id(call), "XMISS"),
      remoteHold: (call) => lab.poke(id(call), "XHOLD"),
      remoteResume: (call) => lab.poke(id(call), "XRESUME"),
      dropLink: () => Promise.resolve(lab.relay.cut()),
      async restoreLink() {
        lab.relay.restore();
        await linkIs("connected");
      },
      async injectMalformed() {
        await lab.ring(options.uri, { from: "+15550199999", body: { contentType: "application/sdp", content: "this is not a session description" } });
      },
      ...(voiceAi
        ? {
            sendTranscript: (call: Call, text: string, { final = true }: { final?: boolean } = {}) => {
              const segmentId = utterances.get(call.id) ?? `utterance-${++utteranceCount}`;
              if (final) utterances.delete(call.id);
              else utterances.set(call.id, segmentId);
              return voiceAi.ingest(user, { type: "transcript", callId: id(call), segment: { id: segmentId, speaker: "customer", text, final } });
            },
            sendInsight: (call: Call, insight: { kind: "sentiment"; text: string; score: number }) => voiceAi.ingest(user, { type: "insight", callId: id(call), insight }),
          }
        : {}),
      // The lab's feature server answers any extension of digits behind its feature code (the connector's monitor option).
      monitorTarget: () => Promise.resolve(lab.newMonitorTarget()),
      dtmfReceived: (call) =>
        Promise.resolve(
          lab
            .farEndLog(id(call))
            .filter((l) => l.startsWith("INFO "))
            .map((l) => (l.split(" ")[2] ?? "").replace("Signal=", ""))
            .join(""),
        ),
    },
    dispose: () => lab.relay.restore(),
  };
}
