/**
 * <opencti-call-control-panel>: the agent's phone for any OpenCTI Desktop.
 * It renders from `desktop.snapshot()` and re-renders on every event; the
 * buttons of a call come from `call.actions`, so it never re-derives rules
 * (the one composite, "Hold and answer", is built from the other calls'
 * `hold` action and the connector's `callWaiting` capability).
 * Caller-supplied text (names, numbers, attached data, a vendor's failure
 * message) only goes through Lit text and attribute bindings: it is never
 * parsed as HTML.
 */
import { AUDIO_USES, isCtiError, MONITOR_MODES, normalizeDestination, type AudioDevices, type Capability, type MonitorMode, type AudioUse, type DirectoryEntry, type Call, type CallAction, type CallData, type Desktop, type DesktopEvent, type LoginRequest, type Party, type TranscriptSegment } from "@opencti/core";
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { DEFAULT_ALERTS, notificationPermission, parseAlerts, RingAlerts } from "./alerts.js";
import { audioToRestore, kindFor, loadAudioChoices, saveAudioChoice } from "./devices.js";
import { callClockStart, callOutcome, callTitle, formatClock, formatDuration, type NumberFormatter } from "./format.js";
import { en, mergeMessages, messagesFor, watchLocales, type ButtonAction, type Messages, type PartialMessages, type RequestWord } from "./messages.js";
import { recentCall, remember, type RecentCall } from "./recent.js";
import { ACTION_KEYS, shortcutFor } from "./shortcuts.js";
import { panelStyles } from "./styles.js";
import { addInsight, addLine, tone, type CallAi } from "./transcript.js";

/** `opencti-screen-pop` detail: the host opens the customer record from it. */
export interface ScreenPopDetail {
  /** "ringing" when the call is offered, "answered" when it connects. */
  readonly phase: "ringing" | "answered";
  readonly call: Call;
  /** The caller's number (ANI), when the vendor gave one. */
  readonly ani: string | undefined;
  /** Attached call data (contact attributes, custom parameters, X- headers). */
  readonly data: CallData;
}

export const DEFAULT_DISPOSITIONS: readonly string[] = ["Resolved", "Follow-up needed", "Escalated", "No action needed"];

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
/** Buttons rendered straight from `call.actions`, in this order. */
const BUTTON_ACTIONS: readonly CallAction[] = ["answer", "reject", "resume", "hold", "mute", "unmute", "swap", "completeTransfer", "conference", "hangup"];
const BUTTON_CLASS: Partial<Record<CallAction, string>> = { answer: "good", reject: "danger", hangup: "danger" };
/** How long "Hold and answer" waits for answer to be offered once the other call is held, ms. */
const OFFER_WAIT_MS = 5000;
/** A wrap-up countdown turns to a warning for its last this many ms. */
const WRAP_UP_WARN_MS = 10_000;
/** How many directory entries the transfer drawer lists at once (typing narrows them). */
const DIRECTORY_SHOWN = 8;

type Drawer = "keypad" | "transfer";

/** A desktop shared across tabs (@opencti/core/tabs) says which part this tab plays. */
type TabAware = Desktop & { readonly tab?: { readonly role?: string } };

/** A headset, for the audio devices button (its name is the button's aria-label). */
const HEADSET = html`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"><path d="M4 15v-3a8 8 0 0 1 16 0v3M4 15h4v6H4zm12 0h4v6h-4z" /></svg>`;

export class CallControlPanel extends LitElement {
  static override styles = panelStyles;
  static override properties = {
    desktop: { attribute: false },
    loginRequest: { attribute: false },
    dispositions: { attribute: false },
    heading: { type: String },
    alerts: { type: String },
    shortcuts: { type: String },
    theme: { type: String, reflect: true },
    locale: { type: String },
    messages: { attribute: false },
    formatNumber: { attribute: false },
  };

  /** The Desktop (from `createDesktop`) this panel controls. */
  declare desktop: Desktop | undefined;
  /** What "Log in" sends; the agent id field starts with its `agentId`. */
  declare loginRequest: LoginRequest | undefined;
  /** Disposition codes offered at wrap-up. */
  declare dispositions: readonly string[];
  /** The panel's title; default the catalog's "Phone". */
  declare heading: string | undefined;
  /**
   * How a ringing call is signalled: space-separated `tone`, `title` and
   * `notification` (see alerts.ts). Default "tone title"; "" for none. Leave
   * out `tone` when the vendor's SDK rings itself.
   */
  declare alerts: string;
  /**
   * The language: a tag registered with `registerLocale` ("de", "es", your
   * own), or its language ("de-AT" finds "de"). Unset, the nearest `lang`
   * attribute (the element's or the page's); English when neither is registered.
   */
  declare locale: string | undefined;
  /**
   * How phone numbers read (in titles, details, notices, recent calls):
   * `formatPhoneNumber` from `@opencti/call-control-panel/phone-numbers` for
   * libphonenumber-js, or your own. Default: as the vendor sent them. Events,
   * screen pops and `data-from` / `data-to` keep the raw value.
   */
  declare formatNumber: NumberFormatter | undefined;
  /** Strings over the locale's catalog, for a host's own wording (see messages.ts). */
  declare messages: PartialMessages | undefined;
  /** "light" or "dark"; unset, the panel follows the system's `prefers-color-scheme`. */
  declare theme: "light" | "dark" | undefined;
  /** "off" turns the keyboard shortcuts off (see shortcuts.ts); on by default, only while focus is in the panel. */
  declare shortcuts: string;

  #subscribed: Desktop | undefined;
  #unsubscribe: (() => void) | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #error: string | undefined;
  /** Whether #error says the link is down (cleared when it comes back). */
  #linkError = false;
  #warning: string | undefined;
  #announcement = "";
  /** Ended calls, newest first (see recent.ts). */
  #recent: RecentCall[] = [];
  /** Ids of recent calls whose notice ("Call from … Missed") is still shown. */
  #notices: string[] = [];
  /** When each held call went on hold (the event's `at`), for its hold timer. */
  readonly #heldSince = new Map<string, number>();
  #ringAlerts: RingAlerts | undefined;
  #langObserver: MutationObserver | undefined;
  #unwatchLocales: (() => void) | undefined;
  /** The desktop whose calls #recent and #notices hold. */
  #listsOf: Desktop | undefined;
  /** The catalog in use and its tag (see #resolveMessages). */
  #m: Messages = en;
  #lang = "en";
  readonly #busy = new Set<string>();
  readonly #drawers = new Map<string, Drawer>();
  readonly #fieldErrors = new Map<string, string>();
  readonly #sentDigits = new Map<string, string>();
  readonly #dtmfQueue = new Map<string, string>();
  /** What is typed (or picked) in each call's transfer field. */
  readonly #transferText = new Map<string, string>();
  #dialValue = "";
  #dialKeypad = false;
  /** Whether the audio devices view is open. */
  #audioOpen = false;
  /** Device changes, one at a time (the desktop refuses a second selectAudioDevice while one is in flight). */
  #audioQueue: Promise<unknown> = Promise.resolve();
  /** `"<use>:<id>"` the connector refused when restoring, not asked again until the device list changes. */
  readonly #audioFailed = new Set<string>();
  /** Each call's transcript and insights (see transcript.ts), until the call ends. */
  readonly #ai = new Map<string, CallAi>();
  /** Calls whose transcript the agent collapsed. */
  readonly #aiClosed = new Set<string>();
  /** Calls whose transcript the agent scrolled up in: new lines do not scroll it until the agent is back at the bottom. */
  readonly #aiHeld = new Set<string>();

  constructor() {
    super();
    this.dispositions = DEFAULT_DISPOSITIONS;
    this.alerts = DEFAULT_ALERTS;
    this.shortcuts = "on";
    this.addEventListener("keydown", (event) => this.#onShortcut(event));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#ringAlerts ??= new RingAlerts();
    this.#subscribe();
    // A call may be ringing already (the panel was moved in the page, or attached late).
    this.#updateAlerts();
    // The page's (or an ancestor's) lang may change: the language follows it.
    this.#langObserver ??= new MutationObserver(() => this.#relocalize());
    this.#langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"], subtree: true });
    this.#unwatchLocales ??= watchLocales(() => this.#relocalize());
    // Timers (time in state, call duration) move once a second.
    this.#ticker = setInterval(() => {
      if (this.desktop) this.requestUpdate();
    }, 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#ticker);
    this.#ringAlerts?.stop();
    this.#ringAlerts = undefined;
    this.#langObserver?.disconnect();
    this.#unwatchLocales?.();
    this.#unwatchLocales = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#subscribed = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("desktop")) this.#subscribe();
    if (changed.has("locale") || changed.has("messages") || !this.hasUpdated) this.#resolveMessages();
    if (changed.has("desktop") || changed.has("alerts") || changed.has("locale") || changed.has("messages")) this.#updateAlerts();
  }

  /** Who is on the other end of `call`, in words (see callTitle). */
  #title(call: Call): string {
    return callTitle(call, this.#m, this.#formatNumber);
  }

  /** A number as the agent reads it; a throwing host formatter shows it as it is. */
  #formatNumber = (raw: string): string => {
    try {
      return this.formatNumber?.(raw) ?? raw;
    } catch {
      return raw;
    }
  };

  /** The language may have changed (a lang attribute, a newly registered catalog). */
  #relocalize(): void {
    const before = this.#m;
    this.#resolveMessages();
    if (this.#m !== before) {
      this.#updateAlerts();
      this.requestUpdate();
    }
  }

  #resolveMessages(): void {
    const { locale, messages } = messagesFor(this.locale ?? this.closest("[lang]")?.getAttribute("lang"));
    this.#lang = locale;
    this.#m = this.messages ? mergeMessages(messages, this.messages) : messages;
  }

  /**
   * Rings, flashes and notifies while a call rings and can be answered: not
   * while the link is down (nor once the desktop is destroyed). The tone
   * plays on the agent's ringer device. In a follower tab of a shared desktop
   * (`desktop.tab.role`, see @opencti/core/tabs) only the title flashes: the
   * owner tab rings and notifies (the role is read at each update: a
   * follower that takes over rings from then on).
   */
  #updateAlerts(): void {
    const desktop = this.desktop as TabAware | undefined;
    const snapshot = desktop?.snapshot();
    const calls = snapshot?.link === "connected" ? snapshot.calls : [];
    const ringing = calls.filter((c) => c.state === "ringing").map((c) => ({ id: c.id, title: this.#title(c) }));
    const kinds = new Set(parseAlerts(this.alerts));
    if (desktop?.tab?.role === "follower") {
      kinds.delete("tone");
      kinds.delete("notification");
    }
    this.#ringAlerts?.update(ringing, kinds, this.#m, snapshot?.audio?.ringer);
  }

  /** Alt+Shift+A/H/O/M while focus is in the panel (see shortcuts.ts). */
  #onShortcut(event: KeyboardEvent): void {
    const shortcut = this.shortcuts === "off" ? undefined : shortcutFor(event, event.composedPath()[0]);
    const desktop = this.desktop;
    if (!shortcut || !desktop) return;
    event.preventDefault();
    const picked = shortcut.pick(desktop.snapshot().calls);
    if (picked) void this.#run(`${picked.action}:${picked.call.id}`, picked.action, (d) => callAction(d, picked.action, picked.call.id));
  }

  protected override updated(): void {
    // The selectors show the agent's real state and devices. Once the agent has picked an
    // option, `selected` attributes no longer move the selection, so a refused
    // or queued choice would stay shown: select the marked option by property
    // (not while the change is in flight: the choice shows until it settles).
    for (const [busy, select] of [["state", "#agent-state"], ...AUDIO_USES.map((use) => [`audio:${use}`, `#audio-${use}`])]) {
      if (this.#busy.has(busy!)) continue;
      const marked = this.renderRoot.querySelector<HTMLOptionElement>(`${select} option[selected]`);
      if (marked && !marked.selected) marked.selected = true;
    }
    // A transcript follows its newest line unless the agent scrolled up.
    for (const list of this.renderRoot.querySelectorAll<HTMLElement>(".ai ol")) if (!this.#aiHeld.has(list.dataset.callId!)) list.scrollTop = list.scrollHeight;
  }

  #subscribe(): void {
    if (this.#subscribed === this.desktop || !this.isConnected) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#subscribed = this.desktop;
    const desktop = this.desktop;
    // Another desktop's calls (their ids may repeat) are not this one's: what the lists kept goes.
    if (desktop !== this.#listsOf) {
      this.#listsOf = desktop;
      this.#recent = [];
      this.#notices = [];
    }
    for (const kept of [this.#heldSince, this.#audioFailed, this.#ai, this.#aiClosed, this.#aiHeld]) kept.clear();
    if (!desktop) return;
    this.#unsubscribe = desktop.on("*", (event) => this.#onEvent(event));
    this.#restoreAudio();
    // Held calls' timers from when they went on hold, as far as the history says; else from now.
    // And what was said on the calls still here before the panel was attached.
    for (const call of desktop.snapshot().calls) if (call.state === "held") this.#heldSince.set(call.id, Date.now());
    for (const e of desktop.events()) {
      if (e.type === "call.held" && this.#heldSince.has(e.call.id)) this.#heldSince.set(e.call.id, e.at);
      this.#noteAi(e);
    }
  }

  #onEvent(event: DesktopEvent): void {
    switch (event.type) {
      case "call.ringing":
        this.#announce(this.#m.announceIncoming(this.#title(event.call), event.call.queue));
        this.#screenPop("ringing", event.call);
        break;
      case "call.connected":
        this.#heldSince.delete(event.call.id);
        this.#screenPop("answered", event.call);
        break;
      case "call.held":
        this.#heldSince.set(event.call.id, event.at);
        this.#announce(this.#m.announceCall(this.#m.callState.held, this.#title(event.call)));
        break;
      case "call.resumed":
        this.#heldSince.delete(event.call.id);
        this.#announce(this.#m.announceCall(this.#m.resumed, this.#title(event.call)));
        break;
      case "call.muted":
      case "call.unmuted":
        // Spoken feedback for a change made without looking (a shortcut, another tab of the CRM).
        this.#announce(this.#m.announceCall(event.type === "call.muted" ? this.#m.mutedShort : this.#m.unmutedShort, this.#title(event.call)));
        break;
      case "call.recording":
        // "Recording paused: Ada Lovelace", whoever changed it (the agent, a compliance rule, the recorder failing).
        this.#announce(this.#m.announceCall(this.#m.recording[event.call.recording ?? "off"], this.#title(event.call)));
        break;
      case "call.wrapup":
        this.#heldSince.delete(event.call.id);
        break;
      case "call.ended": {
        for (const map of [this.#drawers, this.#sentDigits, this.#dtmfQueue, this.#heldSince, this.#transferText, this.#ai, this.#aiClosed, this.#aiHeld]) map.delete(event.call.id);
        for (const key of this.#fieldErrors.keys()) if (key.endsWith(`:${event.call.id}`)) this.#fieldErrors.delete(key);
        // The call leaves the list: what became of it stays in "Recent calls" (and a notice when it did not happen).
        const recent = recentCall(event.call, event.at);
        this.#recent = remember(this.#recent, recent);
        this.#notices = this.#notices.filter((id) => id !== recent.id && this.#recent.some((r) => r.id === id));
        if (recent.notice) this.#notices.unshift(recent.id);
        this.#announce(this.#m.announceEnded(this.#title(event.call), callOutcome(event.call, this.#m)));
        break;
      }
      case "link.changed":
        this.#updateAlerts();
        // "Cannot reach the … server" is over once the link is up.
        if (event.link === "connected" && this.#linkError) this.#error = undefined;
        if (event.link === "connected") this.#restoreAudio();
        this.#announce(this.#m.announceLink(this.#m.link[event.link]));
        break;
      case "error":
        this.#error = event.message;
        this.#linkError = event.code === "LINK_DOWN";
        break;
      case "warning":
        this.#warning = event.message;
        break;
      case "call.transcript":
      case "call.insight":
        this.#noteAi(event);
        break;
      case "audio.changed":
        // Only devices newly listed are selected again: a change that a pick made (here or in
        // another tab) is never undone, and a refused device is asked again only once the list changed.
        if (JSON.stringify(event.audio.devices) !== JSON.stringify(event.previous?.devices)) {
          this.#audioFailed.clear();
          this.#restoreAudio(event.previous ?? { devices: [] });
        }
        this.#updateAlerts();
        break;
      default:
        break;
    }
    if (event.type.startsWith("call.")) this.#updateAlerts();
    this.dispatchEvent(new CustomEvent<DesktopEvent>("opencti-event", { detail: event, bubbles: true, composed: true }));
    this.requestUpdate();
  }

  /**
   * Selects the agent's stored devices again (see devices.ts), after any
   * change in flight: at subscribe and link-up, and with `previous` (an
   * `audio.changed`) only the devices newly listed. Only in the tab that runs
   * the session (not a follower of @opencti/core/tabs: the owner's panel does
   * it). Quietly: a refusal neither shows nor clears the panel's error or
   * warning, and that device is not asked again until the list changes.
   */
  #restoreAudio(previous?: AudioDevices): void {
    const desktop = this.desktop as TabAware | undefined;
    if (!desktop || desktop.tab?.role === "follower" || !desktop.snapshot().capabilities.includes("audioDevices")) return;
    this.#queueAudio(async () => {
      const audio = desktop.snapshot().audio as AudioDevices | undefined;
      if (!audio || this.desktop !== desktop || desktop.tab?.role === "follower") return;
      for (const [use, id] of audioToRestore(audio, loadAudioChoices(desktop.connector), { previous, failed: this.#audioFailed })) {
        const key = `audio:${use}`;
        if (this.desktop !== desktop || this.#busy.has(key)) continue;
        this.#busy.add(key);
        try {
          await desktop.selectAudioDevice(use, id);
        } catch {
          this.#audioFailed.add(`${use}:${id}`);
        } finally {
          this.#busy.delete(key);
          this.requestUpdate();
        }
      }
    });
  }

  /** Queues `work` after the device changes before it; one that throws does not stop the ones after it. */
  #queueAudio(work: () => Promise<unknown>): void {
    this.#audioQueue = this.#audioQueue.then(work).catch(() => undefined);
  }

  #noteAi(event: DesktopEvent): void {
    // Core still takes them for a call that just ended: one not on the panel is not kept.
    if ((event.type !== "call.transcript" && event.type !== "call.insight") || !this.desktop?.getCall(event.callId)) return;
    let ai = this.#ai.get(event.callId);
    if (!ai) this.#ai.set(event.callId, (ai = { lines: [], insights: [] }));
    if (event.type === "call.transcript") addLine(ai, event.segment);
    else addInsight(ai, event.insight);
  }

  #screenPop(phase: ScreenPopDetail["phase"], call: Call): void {
    const detail: ScreenPopDetail = { phase, call, ani: call.from, data: call.data };
    this.dispatchEvent(new CustomEvent<ScreenPopDetail>("opencti-screen-pop", { detail, bubbles: true, composed: true }));
  }

  #announce(text: string): void {
    this.#announcement = text;
    this.requestUpdate();
  }

  /** Runs a request; a failure is shown inline, in the CtiError's words. */
  async #run(key: string, request: string, work: (desktop: Desktop) => Promise<unknown>): Promise<boolean> {
    const desktop = this.desktop;
    if (!desktop || this.#busy.has(key)) return false;
    this.#busy.add(key);
    this.#error = undefined;
    this.#warning = undefined;
    this.requestUpdate();
    try {
      await work(desktop);
      return true;
    } catch (err) {
      this.#error = describeFailure(request, err, this.#m);
      this.#linkError = false;
      return false;
    } finally {
      this.#busy.delete(key);
      this.requestUpdate();
    }
  }

  // Rendering -------------------------------------------------------------------

  protected override render(): TemplateResult {
    const desktop = this.desktop;
    const snapshot = desktop?.snapshot();
    const link = snapshot?.link ?? "disconnected";
    const m = this.#m;
    // lang: so a screen reader reads the panel in its own language, whatever the page's.
    return html`<div lang=${this.#lang}>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.#announcement}</div>
      <header class="row spread" part="header">
        <h2>${this.heading || this.#m.phone}</h2>
        <span class="row">
          <span class="link" part="link" data-link=${link}><span class="dot" aria-hidden="true"></span>${m.link[link]}</span>
          ${snapshot?.capabilities.includes("audioDevices")
            ? html`<button type="button" class="icon" part="button audio-devices-toggle" aria-label=${m.audioDevices} aria-expanded=${this.#audioOpen ? "true" : "false"} aria-controls="audio-devices" @click=${this.#toggleAudio}>
                ${HEADSET}
              </button>`
            : nothing}
        </span>
      </header>
      ${this.#error
        ? html`<div class="error row spread" role="alert" part="error">
            <span>${this.#error}</span>
            <button type="button" aria-label=${m.dismissError} @click=${this.#dismissError}>${m.dismiss}</button>
          </div>`
        : nothing}
      ${this.#warning ? html`<p class="notice" role="status" part="notice">${this.#warning}</p>` : nothing}
      ${snapshot
        ? html`${this.#renderAudio(snapshot)} ${this.#renderAgent(snapshot)} ${this.#renderNotices(snapshot)} ${this.#renderCalls(snapshot)} ${this.#renderRecent(snapshot)} ${this.#renderDial(snapshot)}`
        : html`<p class="muted">${m.noConnection}</p>`}
    </div>`;
  }

  #toggleAudio = (): void => {
    this.#audioOpen = !this.#audioOpen;
    this.requestUpdate();
  };

  /** The device settings: a select per use, from `snapshot().audio` (labels as text only). */
  #renderAudio({ audio, capabilities }: ReturnType<Desktop["snapshot"]>): TemplateResult | typeof nothing {
    if (!this.#audioOpen || !capabilities.includes("audioDevices") || !audio) return nothing;
    const m = this.#m;
    return html`<section id="audio-devices" part="audio-devices" aria-labelledby="audio-heading">
      <h3 id="audio-heading">${m.audioDevices}</h3>
      <div class="settings">
        ${AUDIO_USES.map((use) => {
          const listed = audio.devices.filter((d) => d.kind === kindFor(use));
          const inUse = listed.some((d) => d.id === audio[use]) ? audio[use] : undefined;
          return html`<label for=${`audio-${use}`}>${m.audioUse[use]}</label>
            <select id=${`audio-${use}`} data-use=${use} ?disabled=${!listed.length} @change=${this.#onAudioChange}>
              ${inUse === undefined ? html`<option value="" selected disabled>${listed.length ? "" : m.noAudioDevice}</option>` : nothing}
              ${listed.map((d) => html`<option value=${d.id} ?selected=${d.id === inUse}>${d.label}</option>`)}
            </select>`;
        })}
      </div>
      <p class="muted">${m.audioRemembered}</p>
    </section>`;
  }

  /** The agent picked a device: selected on the desktop, then remembered in this browser. */
  #onAudioChange = (event: Event): void => {
    const select = event.target as HTMLSelectElement;
    const use = select.dataset.use as AudioUse;
    const desktop = this.desktop;
    const device = desktop?.snapshot().audio?.devices.find((d) => d.id === select.value && d.kind === kindFor(use));
    if (!desktop || !device) return;
    // On the desktop the agent picked it on, and kept under that connector: a pick queued while
    // the panel moved to another desktop is dropped (its list was the old desktop's).
    this.#queueAudio(async () => {
      if (this.desktop !== desktop) return;
      if (await this.#run(`audio:${use}`, "selectAudioDevice", () => desktop.selectAudioDevice(use, device.id))) saveAudioChoice(desktop.connector, use, device);
    });
  };

  #dismissError = (): void => {
    this.#error = undefined;
    this.requestUpdate();
  };

  #renderAgent(snapshot: ReturnType<Desktop["snapshot"]>): TemplateResult {
    const { agent, reasons, capabilities } = snapshot;
    const m = this.#m;
    if (agent.state === "logged_out") {
      return html`<section part="agent" aria-label=${m.agent}>
        <form class="row" @submit=${this.#onLogin}>
          <label for="agent-id">${m.agentId}</label>
          <input id="agent-id" name="agentId" class="grow" autocomplete="username" .value=${this.loginRequest?.agentId ?? ""} />
          <button type="submit" class="primary" ?disabled=${this.#busy.has("login")}>${m.logIn}</button>
        </form>
      </section>`;
    }
    const current = reasons.find((r) => r.state === agent.state && (agent.reason ? r.id === agent.reason.id : true));
    const choosable = reasons.filter((r) => r.state !== "logged_out");
    const stateLabel = agent.reason && agent.reason.state === agent.state ? agent.reason.label : m.agentState[agent.state];
    const pending = agent.pendingState;
    return html`<section part="agent" aria-label=${m.agent}>
      <div class="row">
        ${capabilities.includes("agentState")
          ? html`<label for="agent-state">${m.status}</label>
              <select id="agent-state" ?disabled=${this.#busy.has("state")} @change=${this.#onStateChange}>
                ${current ? nothing : html`<option value="" selected disabled>${stateLabel}</option>`}
                ${choosable.map((r) => html`<option value=${r.id} ?selected=${r === current}>${r.label}</option>`)}
              </select>`
          : html`<span>${m.statusIs(stateLabel)}</span>`}
        <span class="muted timer" part="time-in-state">${m.timeInState(stateLabel, formatDuration(Date.now() - agent.since))}</span>
        <button type="button" class="grow-0" ?disabled=${this.#busy.has("logout")} @click=${this.#onLogout}>${m.logOut}</button>
      </div>
      ${pending ? html`<p class="muted" part="pending-state">${m.nextState(pending.reason?.label ?? m.agentState[pending.state])}</p>` : nothing}
      ${parseAlerts(this.alerts).has("notification") && notificationPermission() === "default"
        ? html`<button type="button" part="button enable-notifications" @click=${this.#askNotifications}>${m.enableNotifications}</button>`
        : nothing}
    </section>`;
  }

  /** From the button's click (a user gesture, which browsers require for the permission prompt). */
  #askNotifications = (): void => {
    void Notification.requestPermission().finally(() => this.requestUpdate());
  };

  #renderCalls({ calls, capabilities }: ReturnType<Desktop["snapshot"]>): TemplateResult | typeof nothing {
    if (calls.length === 0) return nothing;
    return html`<section part="calls" aria-label=${this.#m.calls}>${repeat(
      calls,
      (call) => call.id,
      (call) => this.#renderCall(call, holdToAnswer(call, calls, capabilities), capabilities),
    )}</section>`;
  }

  /** The calls that did not happen (missed, abandoned, declined, busy, unanswered, failed), until dismissed. */
  #renderNotices(snapshot: ReturnType<Desktop["snapshot"]>): TemplateResult | typeof nothing {
    const shown = this.#notices.map((id) => this.#recent.find((r) => r.id === id)).filter((r) => r !== undefined);
    if (shown.length === 0) return nothing;
    const m = this.#m;
    return html`<section part="notices" aria-label=${m.callNotices}>
      ${repeat(
        shown,
        (r) => r.id,
        (r) => html`<div class="missed" role="status" part="call-notice" data-call-id=${r.id} data-end-reason=${r.endReason}>
          <div class="row spread">
            <strong class="call-title">${(r.direction === "inbound" ? m.callFrom : m.callTo)(this.#title(r.call))}</strong>
            <span class="muted timer">${formatClock(r.endedAt, this.#lang)}</span>
          </div>
          <p class="reason">${callOutcome(r.call, m)}</p>
          <div class="row">
            ${this.#callBackButton(snapshot, r, true)}
            <button type="button" aria-label=${m.dismissNotice(this.#title(r.call))} @click=${() => this.#dismissNotice(r.id)}>${m.dismiss}</button>
          </div>
        </div>`,
      )}
    </section>`;
  }

  #dismissNotice(id: string): void {
    this.#notices = this.#notices.filter((n) => n !== id);
    this.requestUpdate();
  }

  /** "Call back" / "Redial": dials the call's number, when there is one and the agent can dial now. */
  #callBackButton(snapshot: ReturnType<Desktop["snapshot"]>, r: RecentCall, notice: boolean): TemplateResult | typeof nothing {
    if (!r.callBack || !snapshot.capabilities.includes("dial") || snapshot.agent.state === "logged_out") return nothing;
    const target = r.callBack;
    const label = notice ? this.#m.callBack : this.#m.redial;
    return html`<button
      type="button"
      class=${notice ? "good" : ""}
      part="button call-back"
      aria-label=${this.#m.actionOn(label, this.#title(r.call))}
      data-number=${target}
      ?disabled=${this.#busy.has("dial")}
      @click=${() =>
        void this.#run("dial", "dial", (d) => d.dial(target)).then((ok) => {
          if (ok) this.#dismissNotice(r.id);
        })}
    >
      ${label}
    </button>`;
  }

  /** The calls that ended, newest first: direction, who, when, how it ended, talk time, and redial (text only: a vendor's words are never markup). */
  #renderRecent(snapshot: ReturnType<Desktop["snapshot"]>): TemplateResult | typeof nothing {
    if (this.#recent.length === 0) return nothing;
    const m = this.#m;
    return html`<section part="outcomes" aria-labelledby="recent-heading">
      <div class="row spread">
        <h3 id="recent-heading">${m.recentCalls}</h3>
        <button type="button" aria-label=${m.clearRecentCalls} @click=${this.#clearRecent}>${m.clear}</button>
      </div>
      <ul>
        ${repeat(
          this.#recent,
          (r) => r.id,
          (r) => html`<li part="recent-call" class="row spread" data-call-id=${r.id} data-direction=${r.direction} data-end-reason=${r.endReason}>
            <span class="grow">
              <span part="outcome"><span class="call-title">${this.#title(r.call)}</span> <span class="muted">${callOutcome(r.call, m)}</span></span><br />
              <span class="muted timer" part="recent-details"
                >${m.direction[r.direction]} · ${formatClock(r.endedAt, this.#lang)} · ${r.talkMs ? m.talked(formatDuration(r.talkMs)) : m.notConnected}</span
              >
            </span>
            ${this.#callBackButton(snapshot, r, false)}
          </li>`,
        )}
      </ul>
    </section>`;
  }

  #clearRecent = (): void => {
    this.#recent = [];
    this.#notices = [];
    this.requestUpdate();
  };

  /**
   * `holdFirst`: the calls to hold before this ringing one can be answered
   * ("Hold and answer"); empty when answer is offered or holding would not help.
   */
  #renderCall(call: Call, holdFirst: readonly Call[], capabilities: readonly Capability[]): TemplateResult {
    const m = this.#m;
    const title = this.#title(call);
    const ringing = call.state === "ringing";
    const monitor = call.direction === "monitor";
    const drawer = this.#drawers.get(call.id);
    // A supervisor is not someone the agent talks to: a badge, not a party to drop.
    const remote = call.parties.filter((p) => p.role !== "agent" && p.role !== "supervisor" && p.state !== "disconnected");
    const supervisors = monitor ? [] : call.parties.filter((p) => p.role === "supervisor" && p.state !== "disconnected");
    const live = call.state === "connected" || call.state === "held";
    const recording = live && (call.recording === "active" || call.recording === "paused") ? call.recording : undefined;
    const recordingActions = (["pauseRecording", "resumeRecording"] as const).filter((a) => call.actions.includes(a));
    const dataEntries = Object.entries(call.data);
    const heldSince = call.state === "held" ? this.#heldSince.get(call.id) : undefined;
    // Muted only matters while the agent is on the call.
    const muted = call.muted && (call.state === "connected" || call.state === "held" || call.state === "dialing");
    return html`<article
      class="call ${ringing ? "alert" : ""}"
      part=${ringing ? "call incoming" : "call"}
      data-state=${call.state}
      data-call-id=${call.id}
      data-media=${call.media ?? "ok"}
      data-from=${call.from ?? nothing}
      data-to=${call.to ?? nothing}
      aria-label=${`${ringing ? m.incomingCall : m.directionCall[call.direction]} ${title}`}
    >
      ${ringing ? html`<h3>${m.incomingCall}</h3>` : nothing}
      <div class="row spread">
        <span class="call-title">${call.direction === "consult" && !ringing ? m.consultWith(title) : monitor ? m.monitoring(title) : title}</span>
        <span class="timer" part="call-state">${m.callState[call.state]} · ${formatDuration(Date.now() - callClockStart(call))}</span>
      </div>
      ${muted || heldSince !== undefined || supervisors.length
        ? html`<div class="row">
            ${muted ? html`<span class="badge danger" part="muted" role="status">${m.muted}</span>` : nothing}
            ${heldSince !== undefined ? html`<span class="badge warn timer" part="hold-timer">${m.onHold(formatDuration(Date.now() - heldSince))}</span>` : nothing}
            ${supervisors.map(
              (p) => html`<span class="badge info" part="supervisor" data-monitor-mode=${p.monitorMode ?? nothing}>${p.monitorMode ? m.supervisor[p.monitorMode] : m.supervisorOnCall}</span>`,
            )}
          </div>`
        : nothing}
      ${recording || recordingActions.length
        ? html`<div class="row" part="recording-controls">
            ${recording
              ? html`<span class="rec" part="recording" data-recording=${recording}><span class="dot" aria-hidden="true"></span>${m.recording[recording]}</span>`
              : nothing}
            ${recordingActions.map((action) => this.#recordingButton(call, action, title))}
          </div>`
        : nothing}
      ${monitor ? this.#renderMonitorModes(call, title, capabilities) : nothing}
      ${call.media === "reconnecting" ? html`<p class="notice" role="status" part="media">${m.reconnectingAudio}</p>` : nothing}
      ${call.state === "wrapup" && call.endReason ? html`<p class="muted" part="outcome">${callOutcome(call, m)}</p>` : nothing}
      <div class="muted">
        ${m.direction[call.direction]}${call.from && this.#formatNumber(call.from) !== title ? html` · ${m.from(this.#formatNumber(call.from))}` : nothing}${call.to && call.direction !== "inbound" && this.#formatNumber(call.to) !== title ? html` · ${m.to(this.#formatNumber(call.to))}` : nothing}${call.queue ? html` · ${m.queue(call.queue)}` : nothing}
      </div>
      ${dataEntries.length > 0
        ? html`<dl aria-label=${m.callData}>${dataEntries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
        : nothing}
      ${remote.length > 1 || call.actions.includes("dropParty") ? this.#renderParties(call, remote) : nothing}
      <div class="row" part="actions">
        ${holdFirst.length > 0 ? this.#holdAndAnswerButton(call, holdFirst, title) : nothing}
        ${repeat(
          BUTTON_ACTIONS.filter((a) => call.actions.includes(a)),
          (action) => action,
          (action) => this.#actionButton(call, action, title),
        )}
        ${call.actions.includes("sendDtmf") ? this.#drawerToggle(call, "keypad", m.keypad, drawer) : nothing}
        ${call.actions.includes("blindTransfer") || call.actions.includes("consult") ? this.#drawerToggle(call, "transfer", m.transfer, drawer) : nothing}
      </div>
      ${drawer === "keypad" && call.actions.includes("sendDtmf") ? this.#renderKeypad(call) : nothing}
      ${drawer === "transfer" && (call.actions.includes("blindTransfer") || call.actions.includes("consult")) ? this.#renderTransfer(call) : nothing}
      ${call.actions.includes("completeWrapUp") ? this.#renderWrapUp(call) : nothing}
      ${this.#renderAi(call)}
    </article>`;
  }

  /**
   * The call's insight chips (one sentiment, first) and live transcript, a
   * partial line de-emphasized until its final replaces it; collapsible.
   * Kept through hold and wrap-up, gone when the call ends. Text only: what
   * a recognizer heard is never markup. The live region reads finals only.
   */
  #renderAi(call: Call): TemplateResult | typeof nothing {
    const ai = this.#ai.get(call.id);
    if (!ai) return nothing;
    const m = this.#m;
    const id = call.id;
    const open = !this.#aiClosed.has(id);
    const who = (s: TranscriptSegment): string => (s.speaker === "agent" && call.direction === "monitor" ? m.agent : m.speaker[s.speaker]);
    const chips = [...ai.insights.filter((i) => i.kind === "sentiment"), ...ai.insights.filter((i) => i.kind !== "sentiment")];
    return html`<section class="ai" part="transcript" aria-label=${m.transcript}>
      <button type="button" part="button transcript-toggle" aria-expanded=${String(open)} aria-controls="ai-${id}" @click=${() => this.#toggleAi(id)}><span aria-hidden="true">${open ? "▾" : "▸"}</span> ${m.transcript}</button>
      <div id="ai-${id}" ?hidden=${!open}>
        ${chips.length
          ? html`<ul class="row" part="insights" aria-label=${m.insights}>
              ${chips.map((i) => {
                const t = i.kind === "sentiment" ? tone(i) : undefined;
                const label = `${(m.insightKind as Readonly<Record<string, string>>)[i.kind] ?? i.kind}: `;
                return html`<li class="chip" part="insight" data-kind=${i.kind} data-tone=${t ?? nothing}>${t ? `${t === "positive" ? "▲" : t === "negative" ? "▼" : "●"} ${label}${m.tone[t]}${i.text.toLowerCase() === t ? "" : ` · ${i.text}`}` : label + i.text}</li>`;
              })}
            </ul>`
          : nothing}
        ${ai.lines.length
          ? html`<ol part="transcript-lines" tabindex="0" aria-label=${m.transcript} data-call-id=${id} @scroll=${this.#onAiScroll}>
              ${repeat(ai.lines, (l) => l.id, (l) => html`<li part="line" class=${l.final ? "" : "partial"} data-speaker=${l.speaker} data-final=${l.final}><b>${who(l)}</b> ${l.text}</li>`)}
            </ol>`
          : nothing}
      </div>
      <p class="sr-only" part="transcript-live" aria-live="polite">${open && ai.final ? m.announceCall(who(ai.final), ai.final.text) : ""}</p>
    </section>`;
  }

  #toggleAi(id: string): void {
    if (!this.#aiClosed.delete(id)) this.#aiClosed.add(id);
    this.requestUpdate();
  }

  /** Scrolled up: the transcript stops following; back at the bottom: it follows again. */
  #onAiScroll = (event: Event): void => {
    const list = event.target as HTMLElement;
    const held = list.scrollHeight - list.scrollTop - list.clientHeight > 8;
    this.#aiHeld[held ? "add" : "delete"](list.dataset.callId!);
  };

  #recordingButton(call: Call, action: "pauseRecording" | "resumeRecording", title: string): TemplateResult {
    const label = this.#m[action];
    const key = `${action}:${call.id}`;
    return html`<button
      type="button"
      part="button ${action}"
      aria-label=${this.#m.actionOn(label, title)}
      ?disabled=${this.#busy.has(key)}
      @click=${() => void this.#run(key, action, (d) => (action === "pauseRecording" ? d.pauseRecording(call.id) : d.resumeRecording(call.id)))}
    >
      ${label}
    </button>`;
  }

  /**
   * A monitoring session's modes: a button per mode the connector declares
   * (capabilities `monitor`, `whisper`, `barge`), the current one pressed;
   * without `setMonitorMode` in the call's actions, only the current mode.
   */
  #renderMonitorModes(call: Call, title: string, capabilities: readonly Capability[]): TemplateResult | typeof nothing {
    const m = this.#m;
    const current = call.monitorMode;
    const modes = call.actions.includes("setMonitorMode") ? MONITOR_MODES.filter((mode) => capabilities.includes(mode)) : [];
    if (!modes.length) return current ? html`<p class="muted" part="monitor-mode">${m.monitorModes}: ${m.monitorMode[current]}</p>` : nothing;
    const key = `setMonitorMode:${call.id}`;
    return html`<div class="row modes" role="group" part="monitor-modes" aria-label=${m.monitorModes}>
      ${modes.map(
        (mode: MonitorMode) => html`<button
          type="button"
          part="button monitor-mode"
          data-mode=${mode}
          aria-pressed=${mode === current ? "true" : "false"}
          aria-label=${m.actionOn(m.monitorMode[mode], title)}
          ?disabled=${this.#busy.has(key)}
          @click=${() => {
            if (mode !== call.monitorMode) void this.#run(key, "setMonitorMode", (d) => d.setMonitorMode(call.id, mode));
          }}
        >
          ${m.monitorMode[mode]}
        </button>`,
      )}
    </div>`;
  }

  #actionButton(call: Call, action: CallAction, title: string): TemplateResult {
    // A monitoring session is left, not hung up.
    const label = call.direction === "monitor" && action === "hangup" ? this.#m.leave : (this.#m.action[action as ButtonAction] ?? action);
    return html`<button
      type="button"
      part="button ${action}"
      class=${BUTTON_CLASS[action] ?? ""}
      aria-label=${this.#m.actionOn(label, title)}
      aria-keyshortcuts=${ACTION_KEYS[action] && this.shortcuts !== "off" ? ACTION_KEYS[action] : nothing}
      ?disabled=${this.#busy.has(`${action}:${call.id}`)}
      @click=${() => void this.#run(`${action}:${call.id}`, action, (d) => callAction(d, action, call.id))}
    >
      ${label}
    </button>`;
  }

  /** Holds the calls in the way, waits until answer is offered, then answers. */
  #holdAndAnswerButton(call: Call, holdFirst: readonly Call[], title: string): TemplateResult {
    const key = `answer:${call.id}`;
    const run = async (d: Desktop): Promise<void> => {
      for (const other of holdFirst) if (d.getCall(other.id)?.state === "connected") await d.hold(other.id);
      await answerOffered(d, call.id, this.#m);
      await d.answer(call.id);
    };
    return html`<button
      type="button"
      part="button holdAndAnswer"
      class="good"
      aria-label=${this.#m.holdAndAnswerLabel(title)}
      ?disabled=${this.#busy.has(key)}
      @click=${() => void this.#run(key, "answer", run)}
    >
      ${this.#m.holdAndAnswer}
    </button>`;
  }

  #drawerToggle(call: Call, drawer: Drawer, label: string, open: Drawer | undefined): TemplateResult {
    return html`<button
      type="button"
      part="button ${drawer}-toggle"
      aria-expanded=${open === drawer ? "true" : "false"}
      @click=${() => {
        if (open === drawer) this.#drawers.delete(call.id);
        else this.#drawers.set(call.id, drawer);
        this.requestUpdate();
      }}
    >
      ${label}
    </button>`;
  }

  #renderParties(call: Call, remote: readonly Party[]): TemplateResult {
    const canDrop = call.actions.includes("dropParty");
    const m = this.#m;
    return html`<ul aria-label=${m.parties}>
      ${remote.map(
        (p) => html`<li class="row spread">
          <span>${p.displayName || p.address || p.id} <span class="muted">(${m.partyState[p.state]})</span></span>
          ${canDrop
            ? html`<button
                type="button"
                part="button dropParty"
                aria-label=${m.dropPartyLabel(p.displayName || p.address || p.id)}
                ?disabled=${this.#busy.has(`drop:${call.id}:${p.id}`)}
                @click=${() => void this.#run(`drop:${call.id}:${p.id}`, "dropParty", (d) => d.dropParty(call.id, p.id))}
              >
                ${m.dropParty}
              </button>`
            : nothing}
        </li>`,
      )}
    </ul>`;
  }

  #renderKeypad(call: Call): TemplateResult {
    const sent = this.#sentDigits.get(call.id) ?? "";
    // With focus in the keypad, typing 0-9 * # sends the tone too.
    const onKey = (event: KeyboardEvent): void => {
      if (/^[0-9*#]$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        this.#queueDtmf(call.id, event.key);
      }
    };
    const m = this.#m;
    return html`<div part="keypad" role="group" aria-label=${m.keypad} @keydown=${onKey}>
      <div class="keypad">
        ${KEYS.map((key) => html`<button type="button" aria-label=${m.sendTone(key)} @click=${() => this.#queueDtmf(call.id, key)}>${key}</button>`)}
      </div>
      <p class="muted" aria-live="polite">${sent ? m.sent(sent) : m.tonesHint}</p>
    </div>`;
  }

  /** Digits pressed while a send is in flight go in the next send, in order. */
  #queueDtmf(callId: string, digit: string): void {
    this.#dtmfQueue.set(callId, (this.#dtmfQueue.get(callId) ?? "") + digit);
    void this.#flushDtmf(callId);
  }

  async #flushDtmf(callId: string): Promise<void> {
    const key = `sendDtmf:${callId}`;
    while (!this.#busy.has(key)) {
      const digits = this.#dtmfQueue.get(callId);
      if (!digits) return;
      this.#dtmfQueue.delete(callId);
      const ok = await this.#run(key, "sendDtmf", (d) => d.sendDtmf(callId, digits));
      if (ok) this.#sentDigits.set(callId, (this.#sentDigits.get(callId) ?? "") + digits);
      else return;
    }
  }

  /**
   * Transfer and consult: a typed number or address, or a pick from the
   * connector's directory (filtered by what is typed). Enter consults when
   * the connector can: a blind transfer is never the default.
   */
  #renderTransfer(call: Call): TemplateResult {
    const errorKey = `transfer:${call.id}`;
    const error = this.#fieldErrors.get(errorKey);
    const inputId = `transfer-${call.id}`;
    const blind = call.actions.includes("blindTransfer");
    const consult = call.actions.includes("consult");
    const text = this.#transferText.get(call.id) ?? "";
    const directory = this.desktop?.snapshot().directory ?? [];
    const submit = (kind: "blindTransfer" | "consult") => (event: Event) => {
      event.preventDefault();
      const typed = this.#transferText.get(call.id) ?? "";
      let destination = normalizeDestination(typed);
      let problem = destination === undefined ? this.#m.destinationHint : undefined;
      // With a directory, typed letters are a search, not a destination: the one entry they
      // match is the target; several (or none) need a pick or a full number or address.
      if (destination !== undefined && directory.length && !directory.some((e) => e.destination === destination) && !/^(\+?\d|sips?:)|@/.test(destination)) {
        const found = searchDirectory(directory, typed);
        destination = found.length === 1 ? found[0]!.destination : undefined;
        if (destination) this.#transferText.set(call.id, destination);
        else problem = this.#m.pickOrType;
      }
      if (destination === undefined) {
        this.#fieldErrors.set(errorKey, problem ?? this.#m.destinationHint);
        this.requestUpdate();
        return;
      }
      this.#fieldErrors.delete(errorKey);
      void this.#run(`${kind}:${call.id}`, kind, (d) => (kind === "consult" ? d.consult(call.id, destination) : d.blindTransfer(call.id, destination))).then((ok) => {
        if (ok) {
          this.#drawers.delete(call.id);
          this.#transferText.delete(call.id);
        }
        this.requestUpdate();
      });
    };
    const m = this.#m;
    const matches = searchDirectory(directory, text).slice(0, DIRECTORY_SHOWN);
    const pick = (destination: string) => () => {
      this.#transferText.set(call.id, destination);
      this.#fieldErrors.delete(errorKey);
      this.requestUpdate();
      this.renderRoot.querySelector<HTMLInputElement>(`#${CSS.escape(inputId)}`)?.focus();
    };
    // Enter consults; a blind transfer (the customer leaves the agent at once) only ever from its own button.
    return html`<form part="transfer" aria-label=${m.transfer} @submit=${consult ? submit("consult") : (e: Event) => e.preventDefault()}>
      <div class="row">
        <label for=${inputId}>${m.transferTo}</label>
        <input
          id=${inputId}
          class="grow"
          inputmode=${directory.length ? "text" : "tel"}
          autocomplete="off"
          .value=${text}
          aria-invalid=${error ? "true" : "false"}
          aria-describedby=${`${inputId}-error`}
          aria-controls=${directory.length ? `${inputId}-directory` : nothing}
          @input=${(e: Event) => {
            this.#transferText.set(call.id, (e.target as HTMLInputElement).value);
            this.#fieldErrors.delete(errorKey);
            this.requestUpdate();
          }}
        />
      </div>
      ${directory.length
        ? html`<ul id=${`${inputId}-directory`} class="directory" part="directory" aria-label=${m.directory}>
            ${repeat(
              matches,
              (e) => e.id,
              (e) => html`<li>
                <button type="button" part="directory-entry" data-destination=${e.destination} aria-pressed=${text === e.destination ? "true" : "false"} @click=${pick(e.destination)}>
                  ${e.label} <span class="muted">${m.directoryKind[e.kind]}</span>
                </button>
              </li>`,
            )}
            ${matches.length ? nothing : html`<li class="muted">${m.noDirectoryMatch}</li>`}
          </ul>`
        : nothing}
      <div class="row">
        ${consult ? html`<button type="submit" class="primary">${m.consult}</button>` : nothing}
        ${blind ? html`<button type="button" class=${consult ? "" : "primary"} @click=${submit("blindTransfer")}>${m.blindTransfer}</button>` : nothing}
      </div>
      <p id=${`${inputId}-error`} class="field-error" role=${error ? "alert" : "none"}>${error ?? ""}</p>
    </form>`;
  }

  #renderWrapUp(call: Call): TemplateResult {
    const id = `wrapup-${call.id}`;
    const onSubmit = (event: SubmitEvent): void => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      const disposition = form.querySelector("select")?.value ?? "";
      const notes = form.querySelector("textarea")?.value.trim() ?? "";
      void this.#run(`completeWrapUp:${call.id}`, "completeWrapUp", (d) =>
        d.completeWrapUp(call.id, { ...(disposition ? { disposition } : {}), ...(notes ? { notes } : {}) }),
      );
    };
    const m = this.#m;
    // A vendor that limits wrap-up ends it on its own: count down to it (the ticker re-renders every second).
    const left = call.wrapUpEndsAt === undefined ? undefined : call.wrapUpEndsAt - Date.now();
    return html`<form part="wrapup" aria-label=${m.wrapUp} @submit=${onSubmit}>
      ${left === undefined ? nothing : html`<p class="timer ${left <= WRAP_UP_WARN_MS ? "badge warn" : "muted"}" part="wrapup-countdown">${m.wrapUpEndsIn(formatDuration(left))}</p>`}
      <div class="row">
        <label for=${`${id}-disposition`}>${m.disposition}</label>
        <select id=${`${id}-disposition`} class="grow">
          <option value="" selected>${m.noDisposition}</option>
          ${this.dispositions.map((d) => html`<option value=${d}>${d}</option>`)}
        </select>
      </div>
      <label for=${`${id}-notes`}>${m.notes}</label>
      <textarea id=${`${id}-notes`} rows="2"></textarea>
      <button type="submit" class="primary" ?disabled=${this.#busy.has(`completeWrapUp:${call.id}`)}>${m.done}</button>
    </form>`;
  }

  #renderDial(snapshot: ReturnType<Desktop["snapshot"]>): TemplateResult | typeof nothing {
    if (!snapshot.capabilities.includes("dial") || snapshot.agent.state === "logged_out") return nothing;
    const error = this.#fieldErrors.get("dial");
    const m = this.#m;
    return html`<section part="dialpad" aria-label=${m.dial}>
      <form class="row" @submit=${this.#onDial}>
        <label for="dial">${m.number}</label>
        <input
          id="dial"
          name="destination"
          class="grow"
          inputmode="tel"
          autocomplete="off"
          placeholder=${m.numberPlaceholder}
          .value=${this.#dialValue}
          aria-invalid=${error ? "true" : "false"}
          aria-describedby="dial-error"
          @input=${(e: Event) => {
            this.#dialValue = (e.target as HTMLInputElement).value;
            if (this.#fieldErrors.delete("dial")) this.requestUpdate();
          }}
        />
        <button type="submit" class="good" ?disabled=${this.#busy.has("dial")}>${m.call}</button>
        <button type="button" aria-expanded=${this.#dialKeypad ? "true" : "false"} @click=${this.#toggleDialKeypad}>${m.dialPad}</button>
      </form>
      <p id="dial-error" class="field-error" role=${error ? "alert" : "none"}>${error ?? ""}</p>
      ${this.#dialKeypad
        ? html`<div class="keypad" role="group" aria-label=${m.dialPad}>
            ${KEYS.map((key) => html`<button type="button" aria-label=${m.typeDigit(key)} @click=${() => this.#typeDigit(key)}>${key}</button>`)}
          </div>`
        : nothing}
    </section>`;
  }

  #toggleDialKeypad = (): void => {
    this.#dialKeypad = !this.#dialKeypad;
    this.requestUpdate();
  };

  #typeDigit(key: string): void {
    this.#dialValue += key;
    this.#fieldErrors.delete("dial");
    this.requestUpdate();
  }

  // Handlers ----------------------------------------------------------------------

  #onLogin = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).querySelector("input");
    const agentId = input?.value.trim() ?? "";
    const request: LoginRequest = { ...this.loginRequest, ...(agentId ? { agentId } : {}) };
    void this.#run("login", "login", (d) => d.login(request));
  };

  #onLogout = (): void => {
    void this.#run("logout", "logout", (d) => d.logout());
  };

  #onStateChange = (event: Event): void => {
    const value = (event.target as HTMLSelectElement).value;
    if (value) void this.#run("state", "setAgentState", (d) => d.setAgentState(value));
  };

  #onDial = (event: SubmitEvent): void => {
    event.preventDefault();
    const destination = normalizeDestination(this.#dialValue);
    if (destination === undefined) {
      const hint = this.#m.destinationHint;
      this.#fieldErrors.set("dial", this.#dialValue.trim() ? `${this.#m.cannotDial(this.#dialValue.trim().slice(0, 40))} ${hint}` : hint);
      this.requestUpdate();
      return;
    }
    void this.#run("dial", "dial", (d) => d.dial(destination)).then((ok) => {
      if (ok) this.#dialValue = "";
      this.requestUpdate();
    });
  };
}

/** The directory entries whose label or destination contains `text` (case-insensitive); all of them for no text. */
function searchDirectory(directory: readonly DirectoryEntry[], text: string): DirectoryEntry[] {
  const query = text.trim().toLowerCase();
  return query ? directory.filter((e) => e.label.toLowerCase().includes(query) || e.destination.toLowerCase().includes(query)) : [...directory];
}

/**
 * The connected calls to hold so a ringing `call` can be answered: only when
 * answer is not offered now, the connector keeps a held call while another is
 * answered (`callWaiting`), and each of them can be held.
 */
function holdToAnswer(call: Call, calls: readonly Call[], capabilities: readonly string[]): Call[] {
  if (call.state !== "ringing" || call.actions.includes("answer") || !capabilities.includes("answer") || !capabilities.includes("callWaiting")) return [];
  const others = calls.filter((c) => c.id !== call.id && c.state !== "held" && c.state !== "wrapup");
  return others.length > 0 && others.every((c) => c.state === "connected" && c.actions.includes("hold")) ? others : [];
}

/** Resolves once `callId` offers answer (after the call in the way shows held); rejects if that does not come. */
function answerOffered(desktop: Desktop, callId: string, m: Messages): Promise<void> {
  const offered = (): boolean => desktop.getCall(callId)?.actions.includes("answer") !== false;
  if (offered()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const off = desktop.on("*", () => {
      if (!offered()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(m.answerAfterHoldFailed));
    }, OFFER_WAIT_MS);
  });
}

function callAction(desktop: Desktop, action: CallAction, callId: string): Promise<unknown> {
  switch (action) {
    case "answer":
      return desktop.answer(callId);
    case "reject":
      return desktop.reject(callId);
    case "hangup":
      return desktop.hangup(callId);
    case "hold":
      return desktop.hold(callId);
    case "resume":
      return desktop.resume(callId);
    case "mute":
      return desktop.mute(callId);
    case "unmute":
      return desktop.unmute(callId);
    case "swap":
      return desktop.swap(callId);
    case "completeTransfer":
      return desktop.completeTransfer(callId);
    case "conference":
      return desktop.conference(callId);
    default:
      return Promise.reject(new Error(`${action} has its own form`));
  }
}

/** "Could not put the call on hold: the telephony link is reconnecting. Try again." */
export function describeFailure(request: string, err: unknown, m: Messages = en): string {
  const verb = m.request[request as RequestWord] ?? request;
  if (isCtiError(err)) return m.couldNot(verb, err.message, err.retryable);
  return m.couldNot(verb, err instanceof Error ? err.message : m.unexpected, false);
}
