/**
 * The SIP lab: Kamailio (registrar/proxy) + SIPp far ends on 127.0.0.1, and
 * a relay that plays the network. Agents register over WebSocket at
 * `lab.wsUrl`; callers ring them from SIPp; outbound calls reach SIPp callees
 * at `lab.destination("poke" | "auto" | "early" | "busy" | "notFound" | "unavailable")`.
 */
import { randomBytes } from "node:crypto";
import { LAB_DOMAIN, startKamailio, type Kamailio } from "./kamailio.js";
import { startLinkRelay, type LinkRelay } from "./relay.js";
import { freeUdpPort } from "./ports.js";
import { calleeScenario, callerScenario, featureServerScenario, type CalleeMode, type CallerSpec } from "./scenarios.js";
import { escapeRegExp, poke, startSipp, type Poke, type SippProcess } from "./sipp.js";

export interface InboundCall {
  /** The SIP Call-ID the caller used. */
  readonly callId: string;
  readonly sipp: SippProcess;
}

export interface SipLab {
  readonly kamailio: Kamailio;
  readonly relay: LinkRelay;
  /** Agents connect here (through the relay). */
  readonly wsUrl: string;
  readonly domain: string;
  /** The password every user registers with. */
  readonly password: string;
  /** A fresh agent address of record, `sip:<user>@opencti.test`. */
  newAgentUri(): string;
  /**
   * A destination the agent can dial: a SIPp callee that answers on `answer()` (after a 183 with SDP: "early"), at once, or refuses
   * (busy 486, notFound 404, unavailable 183 then 503); "recordCheck" and "recordRefused" answer at once and check one-touch-record
   * INFOs (`Record: off` then `on`, else 400) or refuse them 403.
   */
  destination(mode: CalleeMode): string;
  /** The spy feature code the lab's feature server takes (Kamailio routes R-URI users starting with `*` to it): dial `<featureCode><extension>`. */
  readonly featureCode: string;
  /** A fresh extension for a supervisor to monitor through the feature code (digits only: the feature server answers it). */
  newMonitorTarget(): string;
  /** A SIPp caller rings `agentUri`. Resolves once SIPp is running. */
  ring(agentUri: string, spec: CallerSpec): Promise<InboundCall>;
  /** The callee of an outbound call answers (waits until its INVITE arrived). */
  answer(callId: string): Promise<void>;
  /** Steer the far end of a call (caller or callee) mid-call. */
  poke(callId: string, what: Poke): Promise<void>;
  /** What the far end of a call logged ("INFO <id> 5", "REINVITE <id> sendonly", …). */
  farEndLog(callId: string): string[];
  /** SIPp's error trace for the far end of a call (for failure messages). */
  farEndErrors(callId: string): string;
  /** Waits for the far end of a call to log a line starting with `event`. */
  waitFor(callId: string, event: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startSipLab(options: { password?: string } = {}): Promise<SipLab> {
  const password = options.password ?? `pw-${randomBytes(6).toString("hex")}`;
  // The spy feature's far end: its port is in Kamailio's routing, so it is chosen first.
  const featurePort = await freeUdpPort();
  const kamailio = await startKamailio({ password, featurePort });
  const relay = await startLinkRelay(kamailio.wsPort);
  const callees = new Map<CalleeMode, SippProcess>();
  const callers = new Map<string, SippProcess>();
  const all: SippProcess[] = [];
  let agents = 0;
  let monitorTargets = 0;
  let calls = 0;
  const prefix = randomBytes(4).toString("hex");

  try {
    for (const mode of ["poke", "auto", "early", "busy", "notFound", "unavailable", "recordCheck", "recordRefused"] as const) {
      const p = await startSipp(calleeScenario(mode), ["-timeout", "900s"], { waitUntilBound: true });
      callees.set(mode, p);
      all.push(p);
    }
    all.push(await startSipp(featureServerScenario(), ["-timeout", "900s"], { port: featurePort, waitUntilBound: true }));
  } catch (e) {
    await Promise.all(all.map((p) => p.stop()));
    await relay.close();
    await kamailio.stop();
    throw e;
  }

  const processFor = (callId: string): SippProcess | undefined => callers.get(callId) ?? [...callees.values(), ...all].find((p) => p.logs().includes(` ${callId}`));

  const lab: SipLab = {
    kamailio,
    relay,
    wsUrl: relay.url,
    domain: LAB_DOMAIN,
    password,
    newAgentUri: () => `sip:agent${++agents}-${prefix}@${LAB_DOMAIN}`,
    destination: (mode) => `udp-${callees.get(mode)!.port}`,
    featureCode: "*222",
    newMonitorTarget: () => String(1000 + ++monitorTargets),

    async ring(agentUri, spec) {
      const user = /^sip:([^@]+)@/.exec(agentUri)?.[1];
      if (!user) throw new Error(`not an agent URI: ${agentUri}`);
      const callId = `opencti-${prefix}-${++calls}-1@127.0.0.1`;
      const p = await startSipp(callerScenario(spec), ["-s", user, "-m", "1", "-cid_str", `opencti-${prefix}-${calls}-%u@127.0.0.1`, "-timeout", "120s", `127.0.0.1:${kamailio.udpPort}`]);
      callers.set(callId, p);
      all.push(p);
      return { callId, sipp: p };
    },

    async answer(callId) {
      const invited = new RegExp(`^INVITE ${escapeRegExp(callId)}$`, "m");
      const deadline = Date.now() + 10_000;
      let callee: SippProcess | undefined;
      while (!(callee = [...callees.values()].find((p) => invited.test(p.logs())))) {
        if (Date.now() > deadline) throw new Error(`no SIPp callee got the INVITE of ${callId}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await poke(callee.port, callId, "XANSWER");
    },

    async poke(callId, what) {
      // Mid-call pokes wait until the far end has the dialog (the ACK may still be in flight).
      if (what !== "XABANDON" && what !== "XMISS" && what !== "XANSWER") await lab.waitFor(callId, "ANSWERED");
      const p = processFor(callId);
      if (!p) throw new Error(`no SIPp far end knows call ${callId}`);
      // A far-end re-INVITE completes before the next poke, so the scenario is back waiting for one.
      const done = what === "XHOLD" ? "FARHOLD" : what === "XRESUME" ? "FARRESUME" : what === "XHOLDLATE" ? "FARHOLDLATE" : undefined;
      const before = done ? lab.farEndLog(callId).filter((l) => l.startsWith(`${done} `)).length : 0;
      await poke(p.port, callId, what);
      if (done) {
        const deadline = Date.now() + 10_000;
        while (lab.farEndLog(callId).filter((l) => l.startsWith(`${done} `)).length === before) {
          if (Date.now() > deadline) throw new Error(`the far end of ${callId} never finished ${what}: ${p.errors().slice(-1500)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },

    farEndLog(callId) {
      const p = processFor(callId);
      if (!p) return [];
      const needle = ` ${callId}`;
      return p
        .logs()
        .split("\n")
        .filter((l) => l.includes(needle))
        .map((l) => l.trim());
    },

    farEndErrors: (callId) => processFor(callId)?.errors() ?? "(no SIPp knows the call)",

    async waitFor(callId, event, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lab.farEndLog(callId).find((l) => l.startsWith(`${event} `));
        if (line) return line;
        if (Date.now() > deadline) {
          const p = processFor(callId);
          throw new Error(`the far end of ${callId} never logged ${event}. Its log:\n${p?.logs().slice(-1500) ?? "(no SIPp knows the call)"}\n${p?.errors().slice(-1500) ?? ""}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },

    async stop() {
      await Promise.all(all.map((p) => p.stop()));
      await relay.close();
      await kamailio.stop();
    },
  };
  return lab;
}
