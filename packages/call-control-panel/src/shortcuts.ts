/**
 * Keyboard shortcuts for the four things an agent does most. They work only
 * while focus is inside the panel (the listener is on the element, not the
 * document), so they never take a key from the host page; `shortcuts="off"`
 * turns them off. Alt+Shift+letter, matched by the letter the key types
 * (`event.key`, so AZERTY's A is A), or by the key's position (`event.code`)
 * when it types no Latin letter (macOS's Option+Shift+A types "Å"). A held key
 * acts once (no auto-repeat), and in the panel's text fields a combination
 * that types a character (Option+Shift+O is "Ø" on a Mac) types it instead.
 * Known clashes: Alt+Shift switches keyboard layouts on Windows (pressed
 * alone, not with a letter), ChromeOS takes Alt+Shift+M, and Firefox's
 * `accesskey` uses Alt+Shift+letter.
 */
import type { Call, CallAction } from "@opencti/core";

export interface Shortcut {
  /** `event.code` of the letter key. */
  readonly code: string;
  /** For `aria-keyshortcuts` and the docs. */
  readonly keys: string;
  /** What it does, in words. */
  readonly label: string;
  /** The call and request it runs now, or undefined when there is none. */
  readonly pick: (calls: readonly Call[]) => { call: Call; action: CallAction } | undefined;
}

/** The first call offering one of `actions` (in that order of preference), with the action. */
function first(calls: readonly Call[], actions: readonly CallAction[]): { call: Call; action: CallAction } | undefined {
  for (const action of actions) {
    const call = calls.find((c) => c.actions.includes(action));
    if (call) return { call, action };
  }
  return undefined;
}

/** The call the agent is talking on (connected or dialing), else undefined. */
const active = (calls: readonly Call[]): Call[] => calls.filter((c) => c.state === "connected" || c.state === "dialing");

export const SHORTCUTS: readonly Shortcut[] = [
  { code: "KeyA", keys: "Alt+Shift+A", label: "Answer the ringing call", pick: (calls) => first(calls, ["answer"]) },
  { code: "KeyH", keys: "Alt+Shift+H", label: "Hang up the active call", pick: (calls) => first(active(calls), ["hangup"]) },
  // Hold the active call, or resume the held one when none is active.
  { code: "KeyO", keys: "Alt+Shift+O", label: "Hold or resume", pick: (calls) => first(active(calls), ["hold"]) ?? first(calls, ["resume"]) },
  { code: "KeyM", keys: "Alt+Shift+M", label: "Mute or unmute", pick: (calls) => first(active(calls), ["mute", "unmute"]) },
];

/** Whether `target` takes typed text (an input for text, a textarea, an editable element). */
function typesText(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement || target.isContentEditable) return true;
  return target instanceof HTMLInputElement && !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(target.type);
}

/** The shortcut `event` presses, if any; `target` is where focus is (the event's composed target). */
export function shortcutFor(event: KeyboardEvent, target?: EventTarget): Shortcut | undefined {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || event.repeat || event.isComposing) return undefined;
  const letter = /^[a-z]$/i.test(event.key) ? event.key.toUpperCase() : undefined;
  // A combination that types a character in a text field is that character.
  if (!letter && event.key.length === 1 && typesText(target)) return undefined;
  return SHORTCUTS.find((s) => (letter ? s.code === `Key${letter}` : s.code === event.code));
}

/** `aria-keyshortcuts` of a call action's button. */
export const ACTION_KEYS: Partial<Readonly<Record<CallAction, string>>> = { answer: "Alt+Shift+A", hangup: "Alt+Shift+H", hold: "Alt+Shift+O", resume: "Alt+Shift+O", mute: "Alt+Shift+M", unmute: "Alt+Shift+M" };
