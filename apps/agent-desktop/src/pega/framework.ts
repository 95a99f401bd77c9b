/**
 * A stand-in for Pega's Call Control Panel: it knows nothing of OpenCTI. It
 * looks the Desktop Implementation up by its configured name, calls the
 * Desktop Interface functions with success/failure callbacks from buttons,
 * and shows every event forwarded to it as the JSON Pega would receive.
 * Everything is rendered as text (textContent), never as HTML.
 */
import "./globals.ts";
import type { PegaDesktopImplementation, PegaError, PegaEvent } from "@opencti/pega";

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from pega.html`);
  return el as T;
};
const value = (id: string): string => byId<HTMLInputElement | HTMLSelectElement>(id).value;

const callbacks = byId<HTMLOListElement>("callbacks");
const events = byId<HTMLOListElement>("events");
let eventCount = 0;

function logCallback(fn: string, ok: boolean, error?: PegaError): void {
  const li = document.createElement("li");
  li.className = ok ? "ok" : "fail";
  li.dataset.fn = fn;
  li.textContent = ok ? `${fn} → success()` : `${fn} → failure(${JSON.stringify(error)})`;
  callbacks.prepend(li);
}

/** Pega's event callback, handed to login. */
function forwardEvent(event: PegaEvent): void {
  eventCount++;
  const li = document.createElement("li");
  const title = document.createElement("div");
  title.className = "type";
  title.textContent = `#${eventCount} ${event.pyEventType} · ${event.pyEventName}`;
  const pre = document.createElement("pre");
  pre.textContent = JSON.stringify(event, null, 2);
  li.append(title, pre);
  events.prepend(li);
  // Like Pega's panel: the newest call becomes the one the buttons act on.
  if (event.pyEventType === "CallStateEvent" && (event.pyEventName === "Alerting" || event.pyEventName === "Initiated")) {
    const current = byId<HTMLInputElement>("call-id");
    if (event.pyCallType === "CONSULT") byId<HTMLInputElement>("held-call-id").value = current.value;
    current.value = event.pyCallId;
  }
}

function start(impl: PegaDesktopImplementation): void {
  byId("mode").textContent = impl.telephonyMode;
  const requests: Record<string, (ok: () => void, fail: (e: PegaError) => void) => void> = {
    login: (ok, fail) => impl.login(value("agent-id"), value("agent-pwd"), value("extension"), { name: "OpenCTI simulator link" }, {}, ok, fail, forwardEvent),
    logout: (ok, fail) => impl.logout(value("agent-id"), value("reason-code"), {}, ok, fail),
    agentReady: (ok, fail) => impl.agentReady(value("agent-id"), value("work-mode"), "", {}, {}, ok, fail),
    agentNotReady: (ok, fail) => impl.agentNotReady(value("agent-id"), value("work-mode"), value("reason-code"), {}, {}, ok, fail),
    answerCall: (ok, fail) => impl.answerCall(value("call-id"), {}, ok, fail),
    holdCall: (ok, fail) => impl.holdCall(value("call-id"), {}, ok, fail),
    retrieveCall: (ok, fail) => impl.retrieveCall(value("call-id"), {}, ok, fail),
    hangUpCall: (ok, fail) => impl.hangUpCall(value("call-id"), {}, ok, fail),
    makeCall: (ok, fail) => impl.makeCall(value("destination"), { callData: { source: "pega-example" } }, ok, fail),
    sendDTMF: (ok, fail) => impl.sendDTMF(value("call-id"), value("digits"), {}, ok, fail),
    blindTransfer: (ok, fail) => impl.blindTransfer(value("call-id"), value("destination"), {}, ok, fail),
    consultationCall: (ok, fail) => impl.consultationCall(value("call-id"), value("destination"), {}, ok, fail),
    transferInitiate: (ok, fail) => impl.transferInitiate(value("call-id"), value("destination"), {}, ok, fail),
    transferComplete: (ok, fail) => impl.transferComplete(value("held-call-id"), value("call-id"), {}, ok, fail),
    conferenceInitiate: (ok, fail) => impl.conferenceInitiate(value("call-id"), value("destination"), {}, ok, fail),
    conferenceComplete: (ok, fail) => impl.conferenceComplete(value("held-call-id"), value("call-id"), {}, ok, fail),
    dropParty: (ok, fail) => impl.dropParty(value("call-id"), value("destination"), {}, ok, fail),
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-fn]")) {
    const fn = button.dataset.fn ?? "";
    const request = requests[fn];
    if (!request) continue;
    button.addEventListener("click", () =>
      request(
        () => logCallback(fn, true),
        (error) => logCallback(fn, false, error),
      ),
    );
  }
}

const implementation = window.pegaDesktopImplementation;
if (implementation) start(implementation);
else byId("mode").textContent = "no implementation registered as window.pegaDesktopImplementation";
