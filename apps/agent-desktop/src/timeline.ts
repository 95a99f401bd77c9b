/** The event timeline: every normalized event as it arrives, newest first. */
import type { Desktop, DesktopEvent } from "@opencti/core";
import { html, render } from "lit";

const LIMIT = 150;

function summarize(event: DesktopEvent): string {
  switch (event.type) {
    case "link.changed":
      return `${event.previous} → ${event.link}${event.reason ? ` (${event.reason})` : ""}`;
    case "agent.changed":
      return `${event.agent.state}${event.agent.reason ? ` (${event.agent.reason.label})` : ""}${event.agent.pendingState ? `, next ${event.agent.pendingState.reason?.label ?? event.agent.pendingState.state}` : ""}`;
    case "call.transcript":
      return `${event.callId} ${event.segment.speaker}: ${event.segment.text}`;
    case "call.insight":
      return `${event.callId} ${event.insight.kind}: ${event.insight.text}`;
    case "audio.changed": {
      const { audio } = event;
      // A device in use that is not listed shows its id; none in use, "none".
      const label = (id: string | undefined, kind: "input" | "output") => audio.devices.find((d) => d.id === id && d.kind === kind)?.label ?? id ?? "none";
      return `${audio.devices.length} devices; mic ${label(audio.input, "input")}, speaker ${label(audio.output, "output")}, ringer ${label(audio.ringer, "output")}`;
    }
    case "warning":
      return `${event.code}: ${event.message}`;
    case "error":
      return `${event.code}: ${event.message}`;
    default:
      return `${event.call.id} ${event.call.state}${event.call.from ? ` from ${event.call.from}` : ""}${event.call.endReason ? ` (${event.call.endReason})` : ""}`;
  }
}

export function mountTimeline(host: HTMLElement, desktop: Desktop): void {
  const events: DesktopEvent[] = [...desktop.events()];
  const draw = (): void => {
    render(
      html`<h2>Event timeline</h2>
        <ol class="timeline" role="log" aria-live="off" aria-label="Events">
          ${events
            .slice(-LIMIT)
            .reverse()
            .map(
              (e) =>
                html`<li data-type=${e.type}>
                  <span class="time">#${e.seq} ${new Date(e.at).toLocaleTimeString()}</span> <code>${e.type}</code> <span>${summarize(e)}</span>
                </li>`,
            )}
        </ol>`,
      host,
    );
  };
  desktop.on("*", (event) => {
    events.push(event);
    if (events.length > LIMIT * 2) events.splice(0, events.length - LIMIT);
    draw();
  });
  draw();
}
