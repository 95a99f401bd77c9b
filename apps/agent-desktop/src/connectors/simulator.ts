/**
 * The simulator: an in-memory CTI server in the page, so every feature can be
 * tried with no vendor account. Options (config.json or the URL: all four are allowlisted):
 *   agentId (default agent-7), latencyMs (default 40), wrapUp ("false" skips
 *   after-call work), answerAfterMs (how long dialled numbers ring, default 1200).
 */
import { createSimulator, type FarEnd, type Operation, type SimulatorServer } from "@opencti/simulator";
import { html, render } from "lit";
import { CUSTOMERS } from "../crm/directory.ts";
import type { ConnectorSetup, LoadConnector } from "./types.ts";
import { drawerKit } from "./drawer.ts";

/** Far ends the dial pad and transfers can reach; anything else answers too. */
export const SIMULATOR_DIRECTORY = {
  "+15550199": "Supervisor (answers)",
  "+15550666": "Busy line",
  "+15550777": "Declines",
  "+15550888": "Not a number",
  "+15550999": "Network failure",
} as const;

/** How the special numbers behave (the rest answer). */
const FAR_ENDS: Record<string, FarEnd> = { "+15550666": "busy", "+15550777": "reject", "+15550888": "not_found", "+15550999": "unavailable" };

const FAULT_OPS: readonly Operation[] = ["answer", "hold", "resume", "hangup", "dial", "blindTransfer", "consult", "setState", "wrapUp"];

function numberOption(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export interface SimulatorSetup extends ConnectorSetup {
  /** The in-memory server, for scripting (the drawer, tests). */
  readonly server: SimulatorServer;
}

export const load: LoadConnector = (config) => {
  const { options } = config;
  const { server, connector } = createSimulator({
    latencyMs: numberOption(options.latencyMs, 40),
    wrapUp: options.wrapUp !== "false",
    defaultFarEnd: "answer",
    answerAfterMs: numberOption(options.answerAfterMs, 1200),
    farEnds: FAR_ENDS,
    // The panel's transfer directory: the special far ends, then the CRM's customers.
    connector: {
      directory: [
        ...Object.entries(SIMULATOR_DIRECTORY).map(([number, label]) => ({ id: number, label, kind: "number" as const, destination: number })),
        { id: "support-queue", label: "Support queue", kind: "queue" as const, destination: "Support queue" },
        ...CUSTOMERS.map((c) => ({ id: c.id, label: c.name, kind: "number" as const, destination: c.phone })),
      ],
    },
  });
  let unmountControls: (() => void) | undefined;
  const setup: SimulatorSetup = {
    connector,
    server,
    login: { agentId: options.agentId ?? "agent-7" },
    mountControls: (host) => {
      unmountControls = mountSimulatorControls(host, server);
    },
    dispose: () => {
      unmountControls?.();
      server.dispose();
    },
  };
  return Promise.resolve(setup);
};

/** The "Unknown caller" choice's number: no customer in the CRM's directory has it. */
const UNKNOWN_CALLER = "+15550111";

/** The drawer: the far end and the network, driven by hand. */
export function mountSimulatorControls(host: HTMLElement, server: SimulatorServer): () => void {
  const { field, act, status } = drawerKit(host, () => draw());
  /** The call picked in the drawer, or the newest live one. */
  const targetCall = (): string | undefined => field("call") || server.listCalls().at(-1)?.callId;

  const ring = act("Ringing the agent", () => {
    const typed = field("from");
    // A typed number is another caller: the chosen customer's name and id go
    // only with their own number, so the panel and the CRM show the same person.
    const preset = CUSTOMERS.find((c) => c.phone === field("caller") && (!typed || typed === c.phone));
    const from = typed || preset?.phone || UNKNOWN_CALLER;
    const fromName = field("fromName") || preset?.name;
    server.ringInbound({
      from,
      ...(fromName ? { fromName } : {}),
      queue: field("queue") || "Support",
      to: "+15550001000",
      data: { ...(preset ? { customerId: preset.id } : {}), reason: field("reason") || "Billing question" },
    });
  });
  /** The name the supervisor party shows in the agent's panel (typed: rendered as text). */
  const supervisorName = (): string => field("supervisorName") || "Supervisor";
  const withCall = (what: string, fn: (id: string) => void) =>
    act(what, () => {
      const id = targetCall();
      if (!id) throw new Error("There is no live call.");
      fn(id);
    });

  function draw(): void {
    const calls = server.listCalls();
    render(
      html`<div class="controls">
        <fieldset>
          <legend>Inbound call</legend>
          <label>Caller
            <select name="caller">
              ${CUSTOMERS.map((c) => html`<option value=${c.phone}>${c.name} (${c.phone})</option>`)}
              <option value="">Unknown caller</option>
            </select>
          </label>
          <label>Number <input name="from" placeholder="overrides the caller's number" autocomplete="off" /></label>
          <label>Name <input name="fromName" placeholder="overrides the caller's name" autocomplete="off" /></label>
          <label>Queue
            <select name="queue"><option>Support</option><option>Sales</option><option>Billing</option></select>
          </label>
          <label>Reason <input name="reason" value="Billing question" autocomplete="off" /></label>
          <button type="button" @click=${ring}>Ring inbound call</button>
        </fieldset>
        <fieldset>
          <legend>Far end</legend>
          <label>Call
            <select name="call">
              <option value="">Newest call</option>
              ${calls.map((c) => html`<option value=${c.callId}>${c.callId} · ${c.status} · ${c.ani ?? c.dnis ?? ""}</option>`)}
            </select>
          </label>
          <button type="button" @click=${withCall("The far end hung up", (id) => server.remoteHangup(id))}>Far end hangs up</button>
          <button type="button" @click=${withCall("The far end answered", (id) => server.remoteAnswer(id))}>Far end answers</button>
          <button type="button" @click=${withCall("The caller gave up", (id) => server.abandon(id))}>Caller abandons</button>
          <button type="button" @click=${withCall("Nobody answered in time", (id) => server.missInbound(id))}>Ring times out</button>
          <button type="button" @click=${withCall("The far end put the call on hold", (id) => server.remoteHold(id))}>Far end holds</button>
          <button type="button" @click=${withCall("The far end is back", (id) => server.remoteResume(id))}>Far end resumes</button>
          <button type="button" @click=${withCall("The call's audio dropped", (id) => server.interruptMedia(id))}>Audio drops</button>
          <button type="button" @click=${withCall("The call's audio is back", (id) => server.restoreMedia(id))}>Audio back</button>
        </fieldset>
        <fieldset>
          <legend>Supervisor and recording</legend>
          <label>Supervisor <input name="supervisorName" value="Sam Rivera" autocomplete="off" /></label>
          <button type="button" @click=${withCall("A supervisor is listening", (id) => server.supervise(id, "silent", supervisorName()))}>Supervisor listens</button>
          <button type="button" @click=${withCall("A supervisor is coaching the agent", (id) => server.supervise(id, "coach", supervisorName()))}>Supervisor whispers</button>
          <button type="button" @click=${withCall("A supervisor joined the call", (id) => server.supervise(id, "join", supervisorName()))}>Supervisor barges</button>
          <button type="button" @click=${withCall("The supervisor left", (id) => server.supervise(id, undefined))}>Supervisor leaves</button>
          <span>Recording (from the far end):</span>
          <button type="button" @click=${withCall("The recording is on", (id) => server.setRecording(id, "on"))}>Recording on</button>
          <button type="button" @click=${withCall("The recording is paused", (id) => server.setRecording(id, "paused"))}>Recording paused</button>
          <button type="button" @click=${withCall("The recording is off", (id) => server.setRecording(id, "off"))}>Recording off</button>
        </fieldset>
        <fieldset>
          <legend>Transcript</legend>
          <label>Speaker <select name="speaker"><option value="customer">Customer</option><option value="agent">Agent</option></select></label>
          <label>Text <input name="line" value="I have a question about my invoice." autocomplete="off" /></label>
          <button
            type="button"
            @click=${withCall("Transcript line sent", (id) =>
              server.transcript(id, { speaker: field("speaker") === "agent" ? "agent" : "customer", text: field("line") || "…" }),
            )}
          >
            Send transcript line
          </button>
        </fieldset>
        <fieldset>
          <legend>Network and faults</legend>
          <span>Link: <strong class="sim-link">${server.linkIsUp ? "up" : "down"}</strong></span>
          <button type="button" @click=${act("Link dropped", () => server.dropLink())}>Drop link</button>
          <button type="button" @click=${act("Link restored", () => server.restoreLink())}>Restore link</button>
          <label>Request
            <select name="fault">${FAULT_OPS.map((op) => html`<option>${op}</option>`)}</select>
          </label>
          <button type="button" @click=${act("The next request of that kind will fail", () => server.failNext(field("fault") as Operation, { message: "The simulated CTI server refused the request." }))}>Fail next request</button>
        </fieldset>
        <p class="muted" role="status">${status()}</p>
        <p class="muted">Dialable: ${Object.entries(SIMULATOR_DIRECTORY).map(([n, label]) => `${n} ${label}`).join(" · ")}; other numbers answer.</p>
      </div>`,
      host,
    );
  }
  draw();
  // The server has no change feed for its own UI; the call list refreshes on a timer.
  const timer = setInterval(draw, 500);
  return () => clearInterval(timer);
}
