/**
 * Ring alerts: what makes an agent notice a ringing call when the panel is
 * out of sight. Each is one token of the panel's `alerts` attribute:
 *
 * - `tone`: a generated ring (440 + 480 Hz, 2 s on / 4 s off, the North
 *   American ring cadence) through Web Audio. Browsers only let a page start
 *   audio after a user gesture, so the panel unlocks it on the agent's first
 *   click or key press in it (logging in is one). Leave `tone` out when the
 *   vendor's SDK plays its own ringtone (Twilio's Voice SDK does by default;
 *   Amazon Connect's softphone does unless `disableRingtone`).
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

/**
 * Plays, flashes and notifies while calls ring. `update()` is called with the
 * ringing calls after every event; `stop()` when the panel goes away.
 */
export class RingAlerts {
  #audio: AudioContext | undefined;
  #tone: ReturnType<typeof setInterval> | undefined;
  #flash: ReturnType<typeof setInterval> | undefined;
  /** The title before the flash started, restored after it. */
  #title: string | undefined;
  readonly #notifications = new Map<string, Notification>();
  #ringing: readonly RingingCall[] = [];
  #kinds: ReadonlySet<RingAlertKind> = new Set();
  #words: Pick<Messages, "ringTitle" | "notificationTitle"> = en;

  constructor() {
    // The tab coming back into view ends the title flash (and a hidden tab starts it).
    document.addEventListener("visibilitychange", this.#onVisibility);
  }

  /** From a user gesture: creates (or resumes) the audio context the tone plays in. */
  unlock(): void {
    if (this.#audio || typeof AudioContext !== "function") {
      if (this.#audio?.state === "suspended") void this.#audio.resume().catch(() => {});
      return;
    }
    try {
      this.#audio = new AudioContext();
    } catch {
      // No audio output: the other alerts still work.
    }
  }

  /** The calls ringing now and the alerts wanted: starts and stops each alert to match. */
  update(ringing: readonly RingingCall[], kinds: ReadonlySet<RingAlertKind>, words: Pick<Messages, "ringTitle" | "notificationTitle"> = en): void {
    this.#ringing = ringing;
    this.#kinds = kinds;
    this.#words = words;
    const on = ringing.length > 0;
    if (on && kinds.has("tone")) this.#startTone();
    else this.#stopTone();
    this.#updateFlash();
    this.#updateNotifications();
  }

  stop(): void {
    this.update([], new Set());
    document.removeEventListener("visibilitychange", this.#onVisibility);
    void this.#audio?.close().catch(() => {});
    this.#audio = undefined;
  }

  #onVisibility = (): void => {
    this.#updateFlash();
    this.#updateNotifications();
  };

  #startTone(): void {
    if (this.#tone !== undefined) return;
    const ring = (): void => {
      const audio = this.#audio;
      if (!audio || audio.state !== "running") return;
      const gain = audio.createGain();
      gain.gain.value = TONE_GAIN;
      gain.connect(audio.destination);
      const at = audio.currentTime;
      for (const hz of TONE_HZ) {
        const osc = audio.createOscillator();
        osc.frequency.value = hz;
        osc.connect(gain);
        osc.start(at);
        osc.stop(at + RING_ON_MS / 1000);
      }
    };
    ring();
    this.#tone = setInterval(ring, RING_PERIOD_MS);
  }

  #stopTone(): void {
    clearInterval(this.#tone);
    this.#tone = undefined;
  }

  #updateFlash(): void {
    const first = this.#ringing[0];
    if (first && this.#kinds.has("title") && document.visibilityState === "hidden") {
      if (this.#flash !== undefined) return;
      this.#title = document.title;
      const alert = (): string => this.#words.ringTitle(this.#ringing[0]?.title ?? first.title);
      document.title = alert();
      this.#flash = setInterval(() => {
        document.title = document.title === this.#title ? alert() : this.#title!;
      }, FLASH_MS);
    } else if (this.#flash !== undefined) {
      clearInterval(this.#flash);
      this.#flash = undefined;
      document.title = this.#title!;
    }
  }

  #updateNotifications(): void {
    const wanted = this.#kinds.has("notification") && notificationPermission() === "granted" && (document.visibilityState === "hidden" || !document.hasFocus());
    const ids = new Set(wanted ? this.#ringing.map((c) => c.id) : []);
    for (const [id, shown] of this.#notifications) {
      // Shown once per ringing call: closed when it stops ringing (not when the tab is shown: the agent may still click it).
      if (!this.#ringing.some((c) => c.id === id)) {
        shown.close();
        this.#notifications.delete(id);
      }
    }
    for (const call of this.#ringing) {
      if (!ids.has(call.id) || this.#notifications.has(call.id)) continue;
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
