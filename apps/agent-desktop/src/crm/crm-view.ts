/**
 * The sample CRM beside the panel: on a screen pop it looks the caller up and
 * shows the record, the live call's transcript, and this session's
 * interactions. Lit text bindings only: caller data is never parsed as HTML.
 */
import type { Call, Desktop, DesktopEvent, TranscriptSegment } from "@opencti/core";
import type { ScreenPopDetail } from "@opencti/call-control-panel";
import { html, nothing, render } from "lit";
import { findCustomer, type Customer } from "./directory.ts";

interface Interaction {
  readonly callId: string;
  readonly direction: Call["direction"];
  readonly number: string;
  name: string;
  readonly startedAt: number;
  status: string;
  disposition?: string;
}

export function mountCrm(host: HTMLElement, desktop: Desktop, panel: HTMLElement): void {
  let current: { call: Call; customer: Customer | undefined } | undefined;
  const interactions = new Map<string, Interaction>();
  const transcript = new Map<string, TranscriptSegment>();

  panel.addEventListener("opencti-screen-pop", (event: CustomEvent<ScreenPopDetail>) => {
    const { call, ani, data } = event.detail;
    if (current?.call.id !== call.id) transcript.clear();
    // The customer is the far end: the caller (ANI) inbound, the number dialled outbound.
    current = { call, customer: findCustomer(call.direction === "inbound" ? ani : call.to, data) };
    const known = interactions.get(call.id);
    if (!known) {
      interactions.set(call.id, {
        callId: call.id,
        direction: call.direction,
        number: (call.direction === "inbound" ? call.from : call.to) ?? "unknown",
        name: current.customer?.name ?? call.fromName ?? "",
        startedAt: call.startedAt,
        status: event.detail.phase === "ringing" ? "Ringing" : "Answered",
      });
    } else known.status = "Answered";
    draw();
  });

  desktop.on("*", (event: DesktopEvent) => {
    if (event.type === "call.transcript" && event.callId === current?.call.id) {
      transcript.set(event.segment.id, event.segment);
      draw();
      return;
    }
    if (!("call" in event)) return;
    const item = interactions.get(event.call.id);
    if (current?.call.id === event.call.id) current = { ...current, call: event.call };
    if (item) {
      if (event.type === "call.ended") item.status = `Ended (${(event.call.endReason ?? "unknown").replace(/_/g, " ")})`;
      else if (event.type === "call.wrapup") item.status = "Wrap-up";
      else if (event.type === "call.transferred") item.status = "Transferred";
      if (event.call.wrapUp?.disposition) item.disposition = event.call.wrapUp.disposition;
    }
    draw();
  });

  function draw(): void {
    render(
      html`<h2>Customer</h2>
        ${current ? recordView(current.call, current.customer) : html`<p class="muted">The caller's record opens here when a call rings.</p>`}
        ${transcript.size > 0
          ? html`<h3>Transcript</h3>
              <ol class="transcript" aria-label="Transcript">
                ${[...transcript.values()].map((s) => html`<li><strong>${s.speaker}:</strong> ${s.text}${s.final ? nothing : html` <em>…</em>`}</li>`)}
              </ol>`
          : nothing}
        <h3>This session</h3>
        ${interactions.size === 0
          ? html`<p class="muted">No interactions yet.</p>`
          : html`<ul class="history" aria-label="Interaction history">
              ${[...interactions.values()].reverse().map(
                (i) =>
                  html`<li>
                    <span class="time">${new Date(i.startedAt).toLocaleTimeString()}</span> ${i.direction} · ${i.name ? html`${i.name} · ` : nothing}${i.number} ·
                    ${i.status}${i.disposition ? html` · ${i.disposition}` : nothing}
                  </li>`,
              )}
            </ul>`}`,
      host,
    );
  }
  draw();
}

function recordView(call: Call, customer: Customer | undefined) {
  const data = Object.entries(call.data);
  return html`<article class="record" aria-label="Customer record">
    ${customer
      ? html`<h3 class="customer-name">${customer.name}</h3>
          <dl>
            <dt>Customer id</dt><dd>${customer.id}</dd>
            <dt>Company</dt><dd>${customer.company}</dd>
            <dt>Tier</dt><dd>${customer.tier}</dd>
            <dt>Phone</dt><dd>${customer.phone}</dd>
            <dt>Email</dt><dd>${customer.email}</dd>
            <dt>Open cases</dt><dd>${customer.openCases.length ? customer.openCases.join("; ") : "None"}</dd>
            <dt>Note</dt><dd>${customer.note}</dd>
          </dl>`
      : html`<h3 class="customer-name">Unknown caller</h3>
          <p>No customer matches ${(call.direction === "inbound" ? call.from : call.to) ?? "this call"}${call.fromName ? html` (${call.fromName})` : nothing}.</p>`}
    <p class="muted">Call ${call.id}: ${call.state}${call.queue ? ` · queue ${call.queue}` : ""}</p>
    ${data.length > 0 ? html`<dl aria-label="Attached data">${data.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>` : nothing}
  </article>`;
}
