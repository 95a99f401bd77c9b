/**
 * @opencti/simulator/testing: the simulator as a connector conformance
 * harness, for a package that runs the conformance suite (or its own
 * scenarios) on the reference connector, such as an adapter riding on a
 * Desktop.
 *
 * The types here are plain structural ones, on @opencti/core and the
 * simulator only: a SimulatorHarness is accepted wherever the (private)
 * conformance suite expects a connector harness, without this package
 * depending on it.
 */
import type { Call, Connector, InsightKind, LoginRequest } from "@opencti/core";
import { createSimulator } from "../index.js";
import type { SimulatorConnectorOptions, SimulatorServerOptions } from "../options.js";
import type { Operation } from "../protocol.js";
import type { SimulatorServer } from "../server.js";

/** An inbound call to offer, as the conformance suite describes it. */
export interface SimulatorInboundSpec {
  from: string;
  fromName?: string;
  to?: string;
  queue?: string;
  data?: Record<string, string>;
}

/** Drives the simulator's side (the server, the far end, the link); every method acts on the server, never on the connector. */
export interface SimulatorDriver {
  /** Offer an inbound call to the agent. */
  ringInbound(call: SimulatorInboundSpec): Promise<void>;
  /** The far end of an outbound or consult call answers. */
  remoteAnswer(call: Call): Promise<void>;
  /** The far end hangs up. */
  remoteHangup(call: Call): Promise<void>;
  /** The caller gives up while the call rings. */
  abandon(call: Call): Promise<void>;
  /** Cut the connector's link. */
  dropLink(): Promise<void>;
  /** Let it reconnect. */
  restoreLink(): Promise<void>;
  /** Send the connector a call message it cannot read. */
  injectMalformed(): Promise<void>;
  /** The server never answers the next request of this kind. */
  stallNext(request: Operation): Promise<void>;
  /** Push a customer transcript line for a call: a partial (`final: false`) and the final after it share a segment. */
  sendTranscript(call: Call, text: string, options?: { final?: boolean }): Promise<void>;
  /** Push a Voice AI insight for a call. */
  sendInsight(call: Call, insight: { kind: InsightKind; text: string; score?: number }): Promise<void>;
  /** The DTMF digits the server received on a call. */
  dtmfReceived(call: Call): Promise<string>;
  /** The server stops offering a ringing call nobody answered (its ring timeout). */
  missInbound(call: Call): Promise<void>;
  /** The far end puts the call on hold. */
  remoteHold(call: Call): Promise<void>;
  /** The far end takes it off hold. */
  remoteResume(call: Call): Promise<void>;
  /** The call's audio drops (signalling and the link stay up). */
  interruptMedia(call: Call): Promise<void>;
  /** Its audio comes back. */
  restoreMedia(call: Call): Promise<void>;
  /** Another agent's call starts on the floor; resolves with its vendor call id, a target for `desktop.monitor`. */
  monitorTarget(): Promise<string>;
}

/** A variation for one scenario (the conformance suite's HarnessVariant, structurally). */
export interface SimulatorHarnessVariant {
  /** The server refuses the harness's login: it checks a password the login does not give. */
  readonly credentials?: "bad";
  /** The simulated browser refuses the microphone. */
  readonly microphone?: "denied";
}

export interface SimulatorHarness {
  /** The server behind the connector, for scripting beyond the driver. */
  readonly server: SimulatorServer;
  readonly connector: Connector;
  readonly driver: SimulatorDriver;
  /** `outbound` and `consultTarget` wait for `remoteAnswer`; `transferTarget` accepts; `busy`, `notFound` and `unavailable` fail as named. */
  readonly destinations: { readonly outbound: string; readonly transferTarget: string; readonly consultTarget: string; readonly busy: string; readonly notFound: string; readonly unavailable: string };
  readonly login: LoginRequest;
  /** Stops the server's timers. */
  dispose(): void;
}

/** The backend features the simulator offers the conformance suite: all of them. */
export const SIMULATOR_FEATURES = {
  stall: true,
  transcripts: true,
  transcriptPartials: true,
  insights: true,
  dtmfEcho: true,
  changesWhileDown: true,
  secondCall: true,
  wrapUp: true,
  outboundFailures: true,
  ringTimeout: true,
  remoteHold: true,
  mediaReconnect: true,
  badCredentials: true,
  microphoneDenied: true,
  recordsCalls: true,
  monitorTargets: true,
} as const;

const DESTINATIONS = { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144", busy: "+15550145", notFound: "+15550146", unavailable: "+15550147" } as const;

/**
 * A fresh simulator (server and connector) as a conformance harness. The
 * connector reconnects after 10 then 20 ms unless `connector.reconnectDelaysMs`
 * says otherwise. `variant` builds the bad-credentials or denied-microphone
 * harness the suite asks for.
 */
export function createSimulatorHarness(options: SimulatorServerOptions & { connector?: SimulatorConnectorOptions } = {}, variant: SimulatorHarnessVariant = {}): SimulatorHarness {
  const farEnds = { [DESTINATIONS.busy]: "busy", [DESTINATIONS.notFound]: "not_found", [DESTINATIONS.unavailable]: "unavailable", ...options.farEnds } as const;
  const { server, connector } = createSimulator({
    ...options,
    farEnds,
    ...(variant.credentials === "bad" ? { credentials: { "agent-7": "the-right-password" } } : {}),
    connector: { reconnectDelaysMs: [10, 20], ...options.connector, ...(variant.microphone ? { microphone: variant.microphone } : {}) },
  });
  const id = (call: Call): string => call.vendorCallId;
  let floorAgents = 100;
  const utterances = new Map<string, string>();
  let utteranceCount = 0;
  const run = (fn: (s: SimulatorServer) => void): Promise<void> => Promise.resolve(fn(server));
  return {
    server,
    connector,
    destinations: DESTINATIONS,
    login: variant.credentials === "bad" ? { agentId: "agent-7", password: "a-wrong-password" } : { agentId: "agent-7" },
    driver: {
      ringInbound: (c) => run((s) => void s.ringInbound(c)),
      remoteAnswer: (call) => run((s) => s.remoteAnswer(id(call))),
      remoteHangup: (call) => run((s) => s.remoteHangup(id(call))),
      abandon: (call) => run((s) => s.abandon(id(call))),
      dropLink: () => run((s) => s.dropLink()),
      restoreLink: () => run((s) => s.restoreLink()),
      injectMalformed: () => run((s) => s.sendRaw({ type: "call", call: { callId: "x", status: "exploding", legs: [] } })),
      stallNext: (op) => run((s) => s.stallNext(op)),
      // A partial and the final after it are one segment (one id); a final closes it.
      sendTranscript: (call, text, { final = true } = {}) => {
        const segmentId = utterances.get(call.id) ?? `utterance-${++utteranceCount}`;
        if (final) utterances.delete(call.id);
        else utterances.set(call.id, segmentId);
        return run((s) => s.transcript(id(call), { speaker: "customer", text, final, segmentId }));
      },
      sendInsight: (call, insight) => run((s) => s.insight(id(call), insight)),
      dtmfReceived: (call) => Promise.resolve(server.dtmf.get(id(call)) ?? ""),
      missInbound: (call) => run((s) => s.missInbound(id(call))),
      remoteHold: (call) => run((s) => s.remoteHold(id(call))),
      remoteResume: (call) => run((s) => s.remoteResume(id(call))),
      interruptMedia: (call) => run((s) => s.interruptMedia(id(call))),
      restoreMedia: (call) => run((s) => s.restoreMedia(id(call))),
      monitorTarget: () => Promise.resolve(server.startFloorCall({ agentId: `agent-${++floorAgents}`, from: "+15550123456", fromName: "Floor Caller" })),
    },
    dispose: () => server.dispose(),
  };
}
