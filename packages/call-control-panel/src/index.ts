/**
 * @opencti/call-control-panel: the <opencti-call-control-panel> custom element.
 * Importing this module registers nothing; call `defineCallControlPanel()` or
 * import "@opencti/call-control-panel/define".
 */
import { CallControlPanel } from "./panel.js";

export { CallControlPanel, DEFAULT_DISPOSITIONS, describeFailure, type ScreenPopDetail } from "./panel.js";
export { formatDuration } from "./format.js";
export { en, registerLocale, type ButtonAction, type Messages, type PartialMessages, type RequestWord } from "./messages.js";
// German and Spanish: tree-shaken away unless a host imports them.
export { de } from "./locales/de.js";
export { es } from "./locales/es.js";
export { DEFAULT_ALERTS, type RingAlertKind } from "./alerts.js";
export { SHORTCUTS, type Shortcut } from "./shortcuts.js";

export const TAG_NAME = "opencti-call-control-panel";

/** Registers the element under `tagName` (once); returns the class registered there. */
export function defineCallControlPanel(tagName: string = TAG_NAME): CustomElementConstructor {
  const existing = customElements.get(tagName);
  if (existing) return existing;
  // A subclass per extra tag: one constructor cannot be registered twice.
  const ctor = tagName === TAG_NAME ? CallControlPanel : class extends CallControlPanel {};
  customElements.define(tagName, ctor);
  return ctor;
}

declare global {
  interface HTMLElementTagNameMap {
    "opencti-call-control-panel": CallControlPanel;
  }
  interface HTMLElementEventMap {
    "opencti-screen-pop": CustomEvent<import("./panel.js").ScreenPopDetail>;
    "opencti-event": CustomEvent<import("@opencti/core").DesktopEvent>;
  }
  // Both events bubble out of the shadow root (composed), up to the document.
  interface DocumentEventMap {
    "opencti-screen-pop": CustomEvent<import("./panel.js").ScreenPopDetail>;
    "opencti-event": CustomEvent<import("@opencti/core").DesktopEvent>;
  }
}
