/**
 * The supervisor page's two views: the floor (on the simulator: other agents'
 * live calls, from the page's own SimulatorServer; on a vendor: what the
 * supervisor needs to name a target) and monitoring (the typed-target form and
 * the supervisor's live sessions, each with its mode and the buttons for the
 * other modes the connector declares, and Leave). Everything goes through the
 * desktop: `monitor(target, "monitor")`, `setMonitorMode(id, mode)`,
 * `hangup(id)`; the server is only read (`listFloor`) and scripted (demo calls).
 * Caller names come from outside: Lit renders them as text.
 */
import { CtiError, MONITOR_MODES, type Call, type Desktop, type MonitorMode } from "@opencti/core";
import type { FloorCall, SimulatorServer } from "@opencti/simulator";
import { html, nothing, render } from "lit";
import { CUSTOMERS } from "../crm/directory.ts";

/** The modes a connector declares, in MONITOR_MODES order; none without `monitor` (every session starts through it). */
function declaredModes(capabilities: readonly string[]): MonitorMode[] {
  return capabilities.includes("monitor") ? MONITOR_MODES.filter((m) => capabilities.includes(m)) : [];
}

/** The supervisor's live monitoring sessions (calls with direction `monitor`). */
const liveSessions = (desktop: Desktop): Call[] => desktop.snapshot().calls.filter((c) => c.direction === "monitor" && c.state !== "ended");

const MODES: Record<MonitorMode, { button: string; doing: string; state: string }> = {
  monitor: { button: "Listen", doing: "listening", state: "Listening: nobody hears you" },
  whisper: { button: "Whisper", doing: "whispering", state: "Whispering: only the agent hears you" },
  barge: { button: "Barge", doing: "barged in", state: "Barged in: everyone hears you" },
};

/** The simulator's listen modes (its own words) as monitoring modes. */
const FROM_LISTEN: Record<string, MonitorMode> = { silent: "monitor", coach: "whisper", join: "barge" };

/**
 * What the target is, per connector, and what the vendor needs for the page
 * to work (the backends' READMEs have the setup).
 */
const TARGETS: Readonly<Record<string, { target: string; example: string; needs: string }>> = {
  simulator: {
    example: "floor-1 or agent-2",
    target: "a floor call's id (floor-1) or an agent's id (agent-2: their latest call)",
    needs: "Nothing: the floor is this page's own simulated server.",
  },
  "amazon-connect": {
    example: "a contact id",
    target: "the Amazon Connect contact id of the agent's call (a UUID, from real-time metrics or contact search)",
    needs:
      "A call-control backend (@opencti/amazon-connect-backend: MonitorContact, recording suspend and resume) and a supervisor user whose security profile may monitor and barge; Connect has listen and barge, no whisper.",
  },
  twilio: {
    example: "CA…",
    target: "the Twilio CallSid of the agent's leg (CA…)",
    needs: "The call-control backend (@opencti/twilio-backend) with authorizeSupervisor allowing this supervisor, and agents' calls in a <Conference>.",
  },
  sip: {
    example: "1001",
    target: "the agent's SIP extension (e.g. 1001)",
    needs: "The PBX's monitoring feature codes or dial prefixes (e.g. Asterisk ChanSpy) in the connector's monitor options; the watched agent's desktop is not told.",
  },
};

/** Demo calls for the floor: agents agent-2… with the CRM's customers. */
function demoCall(n: number): { agentId: string; from: string; fromName: string; queue: string } {
  const customer = CUSTOMERS[n % CUSTOMERS.length]!;
  return { agentId: `agent-${n + 2}`, from: customer.phone, fromName: customer.name, queue: ["Billing", "Support", "Sales"][n % 3]! };
}

const elapsed = (since: number, now: number): string => {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

const describeError = (err: unknown): { text: string; code?: string } =>
  err instanceof CtiError ? { text: `${err.code}: ${err.message}`, code: err.code } : { text: err instanceof Error ? err.message : String(err) };

/** Mounts both views; returns the unmount (stops the refresh). */
export function mountMonitoring(hosts: { floor: HTMLElement; monitoring: HTMLElement }, desktop: Desktop, connector: string, server?: SimulatorServer): () => void {
  const modes = declaredModes(desktop.capabilities);
  const help = TARGETS[connector];
  /** What each session watches, as the supervisor picked it (the call's own fields may say less on a vendor). */
  const watching = new Map<string, string>();
  let outcome: { text: string; code?: string } = { text: "" };
  let busy = false;
  let demoCalls = 0;

  const run = (what: string, fn: () => Promise<unknown>) => async () => {
    busy = true;
    draw();
    try {
      await fn();
      outcome = { text: what };
    } catch (err) {
      outcome = describeError(err);
    } finally {
      busy = false;
      draw();
    }
  };
  const act = (what: string, fn: () => void) => () => {
    try {
      fn();
      outcome = { text: what };
    } catch (err) {
      outcome = describeError(err);
    }
    draw();
  };

  const listen = (target: string, label: string) =>
    run(`Listening to ${label}`, async () => {
      const id = await desktop.monitor(target, "monitor");
      watching.set(id, label);
    });

  const onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem("target") as HTMLInputElement;
    const target = input.value.trim();
    void listen(target, target || "nothing")();
  };

  const startDemo = (count: number) =>
    act(count === 1 ? "A demo call started" : `${count} demo calls started`, () => {
      for (let i = 0; i < count; i++) server!.startFloorCall(demoCall(demoCalls++));
    });

  function floorView(now: number, loggedOut: boolean) {
    if (!server) {
      return html`<h2>What the supervisor needs</h2>
        ${help
          ? html`<p>To monitor on <strong>${connector}</strong>, type ${help.target}.</p>
              <p class="muted">${help.needs}</p>`
          : html`<p>Type the ${connector} connector's id of the call or agent to watch.</p>`}
        <p class="muted">This page has no list of live calls for a vendor connector: your vendor's real-time view has them.</p>`;
    }
    const floor = server.listFloor();
    return html`<h2>Calls on the floor</h2>
      <div class="buttons">
        <button type="button" @click=${startDemo(1)}>Start a demo call</button>
        <button type="button" @click=${startDemo(3)}>Start 3 demo calls</button>
      </div>
      ${floor.length === 0
        ? html`<p class="muted empty">No other agent is on a call. Start a demo call.</p>`
        : html`<table class="floor">
            <thead>
              <tr><th>Agent</th><th>Caller</th><th>Queue</th><th>Time</th><th>Monitored</th><th><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              ${floor.map((f) => floorRow(f, now, loggedOut))}
            </tbody>
          </table>`}`;
  }

  function floorRow(f: FloorCall, now: number, loggedOut: boolean) {
    const mode = f.monitoredBy ? FROM_LISTEN[f.monitoredBy.listen] : undefined;
    return html`<tr data-call-id=${f.callId} data-monitored=${mode ?? "no"}>
      <td class="agent">${f.agentId}<div class="muted">${f.callId}</div></td>
      <td>${f.fromName ?? f.from ?? "Unknown"}${f.fromName && f.from ? html`<div class="muted">${f.from}</div>` : nothing}</td>
      <td>${f.queue ?? ""}</td>
      <td class="time">${elapsed(f.since, now)}</td>
      <td class="monitored">${mode ? `You: ${MODES[mode].doing}` : "No"}</td>
      <td class="row-actions">
        <button type="button" aria-label=${`Listen to ${f.agentId}'s call`} ?disabled=${busy || loggedOut || !!f.monitoredBy || !modes.includes("monitor")} @click=${listen(f.callId, `${f.agentId}'s call`)}>Listen</button>
        <button type="button" aria-label=${`End ${f.agentId}'s call`} @click=${act(`${f.agentId}'s call ended`, () => server!.endFloorCall(f.callId))}>End</button>
      </td>
    </tr>`;
  }

  function sessionView(call: Call) {
    const mode = call.monitorMode ?? "monitor";
    const customer = call.parties.find((p) => p.role === "customer");
    // The watched agent: a third party of the session where the vendor lists them (the simulator does).
    const agent = call.parties.find((p) => p.role === "third_party");
    const label = watching.get(call.id) ?? agent?.address ?? call.to ?? call.vendorCallId ?? call.id;
    const canChange = call.actions.includes("setMonitorMode");
    return html`<article class="session" data-call-id=${call.id} data-mode=${mode} aria-label=${`Monitoring ${label}`}>
      <h3>Watching ${label}</h3>
      ${customer || call.from ? html`<p class="muted">Caller: ${customer?.displayName ?? call.fromName ?? customer?.address ?? call.from}</p>` : nothing}
      <p class="session-mode">Mode: <strong>${MODES[mode].state}</strong></p>
      <div class="buttons">
        ${canChange
          ? modes
              .filter((m) => m !== mode)
              .map((m) => html`<button type="button" ?disabled=${busy} @click=${run(`Now ${MODES[m].doing} on ${label}`, () => desktop.setMonitorMode(call.id, m))}>${MODES[m].button}</button>`)
          : nothing}
        ${call.actions.includes("hangup")
          ? html`<button type="button" class="leave" ?disabled=${busy} @click=${run(`Left ${label}`, () => desktop.hangup(call.id))}>Leave</button>`
          : nothing}
      </div>
    </article>`;
  }

  function monitoringView(loggedOut: boolean) {
    const sessions = liveSessions(desktop);
    if (modes.length === 0) {
      return html`<h2>Monitoring</h2>
        <p class="outcome" role="status">The ${connector} connector, as configured, cannot monitor calls (it does not declare the monitor capability).</p>`;
    }
    return html`<h2>Monitoring</h2>
      <p class="muted">Modes this connector offers: ${modes.map((m) => MODES[m].button).join(", ")}.</p>
      <form class="target" @submit=${onSubmit}>
        <label>Call or agent id <input name="target" autocomplete="off" placeholder=${help ? help.example : "the vendor's id"} /></label>
        <button type="submit" ?disabled=${busy || loggedOut}>Listen</button>
      </form>
      ${help ? html`<p class="muted hint">Type ${help.target}${server ? ", or pick a call on the floor" : ""}.</p>` : nothing}
      ${loggedOut ? html`<p class="muted hint">Log in with the panel to monitor.</p>` : nothing}
      ${sessions.length === 0 ? html`<p class="muted empty">Not monitoring any call.</p>` : sessions.map(sessionView)}
      <p class=${outcome.code ? "outcome error" : "outcome"} role="status" data-code=${outcome.code ?? ""}>${outcome.text}</p>`;
  }

  function draw(): void {
    const loggedOut = desktop.snapshot().agent.state === "logged_out";
    render(floorView(Date.now(), loggedOut), hosts.floor);
    render(monitoringView(loggedOut), hosts.monitoring);
  }

  const off = desktop.on("*", draw);
  draw();
  // The server has no change feed for the floor, and the durations move: a light timer.
  const timer = setInterval(draw, 500);
  return () => {
    clearInterval(timer);
    off();
  };
}
