/**
 * Ring alerts: what makes an agent notice a ringing call when the panel is
 * out of sight. Each is one token of the panel's `alerts` attribute:
 *
 * - `tone`: a generated ring (440 + 480 Hz, 2 s on / 4 s off, the North
 *   American ring cadence) through Web Audio. Browsers only let a page start
 *   audio after a user gesture: the page's one audio context is created (or
 *   resumed) on the agent's first click or key press anywhere in the page,
 *   and again when a ring starts. Leave `tone` out when the vendor's SDK
 *   plays its own ringtone (Twilio's Voice SDK does by default; Amazon
 *   Connect's softphone does unless `disableRingtone`). It plays on the
 *   agent's ringer device (`snapshot().audio.ringer`) through
 *   `AudioContext.setSinkId` where the browser has it (Chromium 110+), else
 *   on the default output; "default" asks for no change of output. A ringer
 *   the browser refuses rings on the output the page has, and is not asked
 *   for again until the ringer changes; a switch that settles after the
 *   ringing stopped plays nothing.
 * - `title`: while the tab is hidden, the document title alternates with
 *   "Incoming call: <caller>" (in the panel's language) once a second; restored when the ringing stops
 *   or the tab is shown.
 * - `notification`: a desktop notification per ringing call while the tab is
 *   hidden or unfocused (permission is asked from the panel's "Turn on
 *   desktop notifications" button, a user gesture); clicking it focuses the
 *   tab. Closed when the call stops ringing.
 */

import { en, type Messages } from "./messages.js";

/** One of the `alerts` tokens. */
export type RingAlertKind = "tone" | "title" | "notification";

/** The `alerts` attribute's default: a tone and a title flash; notifications are opt-in. */
export const DEFAULT_ALERTS = "tone title";

/** A ringing call, as the alerts show it. */
export interface RingingCall {
  readonly id: string;
  /** Who is calling, in words ("Ada Lovelace", "+15550100"). */
  readonly title: string;
}

/** The ring cadence: on, then off, in ms. */
const RING_ON_MS = 2000;
const RING_PERIOD_MS = 6000;
const TONE_HZ = [440, 480] as const;
const TONE_GAIN = 0.08;
const FLASH_MS = 1000;

/** The alerts `tokens` turns on ("tone title", "", "tone notification title"). */
export function parseAlerts(tokens: string | null | undefined): ReadonlySet<RingAlertKind> {
  const wanted = (tokens ?? DEFAULT_ALERTS).split(/\s+/);
  return new Set((["tone", "title", "notification"] as const).filter((k) => wanted.includes(k)));
}

/** Whether this page can show desktop notifications, and whether it may now. */
export function notificationPermission(): NotificationPermission | "unsupported" {
  return typeof Notification === "function" ? Notification.permission : "unsupported";
}

/** AudioContext's output choice (Chromium 110+; not yet in TypeScript's DOM types). */
type SinkContext = AudioContext & { setSinkId?(id: string): Promise<void>; readonly sinkId?: string | object };
// The page's audio context: one for every panel, created on a user gesture and never closed.
let audio: SinkContext | undefined;
/** Creates or resumes the audio context; a no-op where the browser says no (no gesture yet, no audio). */
function unlockAudio(): SinkContext | undefined {
  try {
    audio ??= typeof AudioContext === "function" ? new AudioContext() : undefined;
    if (audio?.state === "suspended") void audio.resume().catch(() => {});
  } catch {
    // No audio output: the other alerts still work.
  }
  return audio;
}
const GESTURES = ["pointerdown", "pointerup", "keydown"] as const;

// The title flash: one per page. Each ringing panel adds its text; the first one shows.
const flashing = new Map<object, string>();
let flashTimer: ReturnType<typeof setInterval> | undefined;
/** The title to come back to; a title the host sets during the flash replaces it. */
let savedTitle = "";
/** The alert texts shown during this flash: a title that is none of them is the host's. */
const shownTexts = new Set<string>();
function flash(owner: object, text: string | undefined): void {
  if (text === undefined) flashing.delete(owner);
  else flashing.set(owner, text);
  const show = (title: string): void => {
    if (title !== savedTitle) shownTexts.add(title);
    document.title = title;
  };
  if (flashing.size && flashTimer === undefined) {
    savedTitle = document.title;
    show(flashing.values().next().value!);
    flashTimer = setInterval(() => {
      const now = document.title;
      if (now !== savedTitle && !shownTexts.has(now)) savedTitle = now;
      show(now === savedTitle ? flashing.values().next().value! : savedTitle);
    }, FLASH_MS);
  } else if (!flashing.size && flashTimer !== undefined) {
    clearInterval(flashTimer);
    flashTimer = undefined;
    // Our own text is put back; a title the host set since stays.
    if (shownTexts.has(document.title)) document.title = savedTitle;
    shownTexts.clear();
  }
}

/**
 * Plays, flashes and notifies while calls ring. `update()` is called with the
 * ringing calls after every event; `stop()` when the panel goes away.
 */
export class RingAlerts {
  #tone: ReturnType<typeof setInterval> | undefined;
  readonly #notifications = new Map<string, Notification>();
  #ringing: readonly RingingCall[] = [];
  #kinds: ReadonlySet<RingAlertKind> = new Set();
  #words: Pick<Messages, "ringTitle" | "notificationTitle"> = en;
  /** The ringer's device id ("" or "default": the default output). */
  #sink = "";
  /** A ringer id setSinkId refused: not asked for again until the ringer changes. */
  #sinkFailed: string | undefined;
  /** Counts ring starts and stops: a tone waiting on setSinkId plays only if its ring is still on. */
  #ringNo = 0;

  constructor() {
    // The tab coming back into view ends the title flash (and a hidden tab starts it);
    // the window losing focus is when a notification helps.
    document.addEventListener("visibilitychange", this.#refresh);
    window.addEventListener("blur", this.#refresh);
    window.addEventListener("focus", this.#refresh);
    for (const type of GESTURES) document.addEventListener(type, unlockAudio, { capture: true, passive: true });
  }

  /**
   * The calls ringing now and the alerts wanted: starts and stops each alert
   * to match. `ringer`: the output device id the tone plays on (from
   * `snapshot().audio.ringer`; absent or "default": the default output).
   */
  update(ringing: readonly RingingCall[], kinds: ReadonlySet<RingAlertKind>, words: Pick<Messages, "ringTitle" | "notificationTitle"> = en, ringer?: string): void {
    this.#ringing = ringing;
    this.#kinds = kinds;
    this.#words = words;
    const sink = ringer === "default" ? "" : (ringer ?? "");
    if (sink !== this.#sink) this.#sinkFailed = undefined;
    this.#sink = sink;
    if (ringing.length > 0 && kinds.has("tone")) this.#startTone();
    else this.#stopTone();
    this.#refresh();
  }

  stop(): void {
    this.update([], new Set());
    document.removeEventListener("visibilitychange", this.#refresh);
    window.removeEventListener("blur", this.#refresh);
    window.removeEventListener("focus", this.#refresh);
    for (const type of GESTURES) document.removeEventListener(type, unlockAudio, { capture: true });
  }

  #refresh = (): void => {
    const first = this.#ringing[0];
    flash(this, first && this.#kinds.has("title") && document.visibilityState === "hidden" ? this.#words.ringTitle(first.title) : undefined);
    this.#updateNotifications();
  };

  #startTone(): void {
    if (this.#tone !== undefined) return;
    const play = (context: AudioContext): void => {
      const gain = context.createGain();
      gain.gain.value = TONE_GAIN;
      gain.connect(context.destination);
      const at = context.currentTime;
      for (const hz of TONE_HZ) {
        const osc = context.createOscillator();
        osc.frequency.value = hz;
        osc.connect(gain);
        osc.start(at);
        osc.stop(at + RING_ON_MS / 1000);
      }
    };
    const ringNo = ++this.#ringNo;
    const ring = (): void => {
      const context = unlockAudio();
      if (context?.state !== "running") return;
      // The page's one context goes to this panel's ringer first (a failed switch rings on the output it has).
      const sink = this.#sink;
      const current = context.sinkId;
      const playIfRinging = (): void => {
        if (this.#ringNo === ringNo) play(context);
      };
      if (context.setSinkId && sink !== this.#sinkFailed && (typeof current === "string" ? current : "") !== sink)
        void context.setSinkId(sink).then(playIfRinging, () => {
          if (this.#sink === sink) this.#sinkFailed = sink;
          playIfRinging();
        });
      else play(context);
    };
    this.#tone = setInterval(ring, RING_PERIOD_MS);
    ring();
  }

  #stopTone(): void {
    if (this.#tone === undefined) return;
    clearInterval(this.#tone);
    this.#tone = undefined;
    this.#ringNo++;
  }

  #updateNotifications(): void {
    const wanted = this.#kinds.has("notification") && notificationPermission() === "granted";
    const away = document.visibilityState === "hidden" || !document.hasFocus();
    for (const [id, shown] of this.#notifications) {
      // Closed when the call stops ringing or notifications are turned off (not when the tab is shown: the agent may still click it).
      if (!wanted || !this.#ringing.some((c) => c.id === id)) {
        shown.close();
        this.#notifications.delete(id);
      }
    }
    if (!wanted || !away) return;
    for (const call of this.#ringing) {
      if (this.#notifications.has(call.id)) continue;
      try {
        const shown = new Notification(this.#words.notificationTitle, { body: call.title, tag: `opencti-call-${call.id}`, requireInteraction: true });
        shown.onclick = () => {
          window.focus();
          shown.close();
        };
        this.#notifications.set(call.id, shown);
      } catch {
        // Some browsers only show notifications from a service worker: the other alerts still work.
      }
    }
  }
}
