// A fair baseline for core's Desktop pipeline: plain, hand-written JavaScript
// (no imports from core) that turns the same connector reports into the SAME
// event stream as `createDesktop` (test/fair-baseline.test.ts proves it, byte
// for byte, on random report sequences), doing the same work: every report
// field validated, parties and wrap-up copied with their known fields only,
// data copied, `actions` derived for every call whose actions may have moved,
// each event stamped (seq, at, connector), kept in a history ring of
// `historyLimit` events and handed to every listener (a throwing listener is
// skipped; events raised while listeners run are queued, in seq order).
//
// It is written the way a careful engineer would write it for speed: straight
// checks instead of spec tables, one snapshot object per report, events built
// with their envelope in one literal, counts of connected/dialing/held calls
// instead of scans, an index of consult relations, a ring for the ended ids it
// remembers (core's 1000, oldest forgotten first), and actions re-derived for
// another call only when something they depend on changed. So its work per
// report does not grow with the number of live calls (except when the answer
// or resume condition flips for every ringing or held call, where every such
// call gets its own call.updated anyway).
//
// What a call's actions depend on (core's deriveActions): its own state,
// muted, direction and parties; its consult partner (the first live, non-wrap-up
// call in arrival order related to it by relatedCallId either way) and that
// partner's state; whether any other call is connected or dialing (and, for a
// ringing call without the `callWaiting` capability, held).
//
// Scope: the hot path, setLink, upsertCall and removeCall. Not replicated:
// secret scrubbing of vendor text (core runs link reasons, failure messages and
// error messages through hostText, and an error's `raw` through redact); here
// they are clipped like core clips them and `raw` is a shallow copy, which is
// the same output for reports without secrets (and off the benchmarked path:
// the bench reports carry no failure, no link reason and no bad field).

const ID = 256; // LIMITS.id
const TEXT = 1024; // LIMITS.text, LIMITS.message
const LONG_TEXT = 8192; // LIMITS.longText
const DATA_ENTRIES = 200;
const DATA_CHARS = 65536;
const PARTIES = 64;
const ENDED_MEMORY = 1000; // DesktopStore's default endedMemory

const LINK_STATES = new Set(["connecting", "connected", "reconnecting", "disconnected"]);
const CALL_STATES = new Set(["ringing", "dialing", "connected", "held", "wrapup", "ended"]);
const DIRECTIONS = new Set(["inbound", "outbound", "consult", "internal", "unknown"]);
const PARTY_ROLES = new Set(["agent", "customer", "third_party", "supervisor"]);
const PARTY_STATES = new Set(["ringing", "dialing", "connected", "held", "disconnected"]);
const MEDIA_STATES = new Set(["ok", "reconnecting"]);
const END_REASONS = new Set(["local_hangup", "remote_hangup", "rejected", "missed", "abandoned", "busy", "no_answer", "transferred", "merged", "failed", "lost", "unknown"]);
const ERROR_CODES = new Set([
  "NOT_LOGGED_IN",
  "INVALID_STATE",
  "NOT_SUPPORTED",
  "INVALID_ARGUMENT",
  "INVALID_DESTINATION",
  "DESTINATION_BUSY",
  "CALL_REJECTED",
  "REQUEST_TIMEOUT",
  "LINK_DOWN",
  "AUTH_FAILED",
  "MEDIA_PERMISSION_DENIED",
  "INVALID_VENDOR_EVENT",
  "VENDOR_ERROR",
]);
const VENDOR_CODE = /^[\w.:-]+$/;
const STATE_EVENT = { ringing: "call.ringing", dialing: "call.dialing", connected: "call.connected", held: "call.held", wrapup: "call.wrapup", ended: "call.ended" };

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v) => typeof v === "string" && v.length > 0 && v.length <= ID;
/** An optional text of at most `max` characters (possibly empty). */
const badText = (v, max) => v !== undefined && (typeof v !== "string" || v.length > max);
const clip = (text, max) => (text.length > max ? text.slice(0, max - 1) + "…" : text);
const show = (v) => (typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v);

/** A party with its known fields only, or undefined when it is not a valid party. */
function copyParty(p) {
  if (!isObject(p)) return undefined;
  const { id, role, state, address, displayName } = p;
  if (!isId(id) || !PARTY_ROLES.has(role) || !PARTY_STATES.has(state)) return undefined;
  if (address !== undefined && !(typeof address === "string" && address.length > 0 && address.length <= TEXT)) return undefined;
  if (badText(displayName, TEXT)) return undefined;
  const out = { id, role, state };
  if (address !== undefined) out.address = address;
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}

/** The parties, copied, or undefined when the list or one of them is invalid. */
function copyParties(list) {
  if (!Array.isArray(list) || list.length > PARTIES) return undefined;
  const out = new Array(list.length);
  for (let i = 0; i < list.length; i++) if ((out[i] = copyParty(list[i])) === undefined) return undefined;
  return out;
}

function dataOk(d) {
  if (!isObject(d)) return false;
  const keys = Object.keys(d);
  if (keys.length > DATA_ENTRIES) return false;
  let chars = 0;
  for (const k of keys) {
    const v = d[k];
    if (k.length > ID || typeof v !== "string" || v.length > LONG_TEXT) return false;
    chars += k.length + v.length;
  }
  return chars <= DATA_CHARS;
}

function copyFailure(f) {
  if (!isObject(f)) return undefined;
  const { code, vendorCode, message } = f;
  if (!ERROR_CODES.has(code)) return undefined;
  if (vendorCode !== undefined && !(typeof vendorCode === "string" && vendorCode.length > 0 && vendorCode.length <= 64 && VENDOR_CODE.test(vendorCode))) return undefined;
  if (!(typeof message === "string" && message.length > 0 && message.length <= TEXT)) return undefined;
  return vendorCode === undefined ? { code, message } : { code, vendorCode, message };
}

function copyWrapUp(w) {
  if (!isObject(w)) return undefined;
  const { disposition, notes } = w;
  if (badText(disposition, TEXT) || badText(notes, LONG_TEXT)) return undefined;
  const out = {};
  if (disposition !== undefined) out.disposition = disposition;
  if (notes !== undefined) out.notes = notes;
  return out;
}

/** Parties other than the agent still on the call (counting stops at 2: that is all anyone asks). */
function liveRemotes(parties) {
  let n = 0;
  for (let i = 0; i < parties.length && n < 2; i++) if (parties[i].role !== "agent" && parties[i].role !== "supervisor" && parties[i].state !== "disconnected") n++;
  return n;
}

function sameParties(a, b) {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.id !== y.id || x.role !== y.role || x.state !== y.state || x.address !== y.address || x.displayName !== y.displayName) return false;
  }
  return true;
}

function sameData(a, b) {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) if (--n < 0) return false;
  return n === 0;
}

function sameList(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `related` with the live call `o` added (once: marked), unless it is the call `id` itself. */
function addRelated(related, o, id, mark) {
  if (o === undefined || o.call.id === id || o.mark === mark) return related;
  o.mark = mark;
  if (related === undefined) return [o];
  related.push(o);
  return related;
}

/** An error's `raw`: a shallow copy (core's redact gives a JSON-equal deep copy when there is no secret in it). */
const copyRaw = (raw) => (Array.isArray(raw) ? raw.slice() : typeof raw === "object" && raw !== null ? { ...raw } : raw);

export function createFairBaseline({ name, capabilities, now = Date.now, historyLimit = 200, maxCalls = 64 }) {
  const can = new Set(capabilities);
  const canAnswer = can.has("answer");
  const canReject = can.has("reject");
  const canHangup = can.has("hangup");
  const canHold = can.has("hold");
  const canMute = can.has("mute");
  const canDtmf = can.has("dtmf");
  const canBlind = can.has("blindTransfer");
  const canConsult = can.has("consult");
  const canComplete = can.has("completeTransfer");
  const canConference = can.has("conference");
  const canSwap = can.has("swap");
  const canDrop = can.has("dropParty");
  const canWrapUp = can.has("wrapUp");
  const callWaiting = can.has("callWaiting");

  let link = "connecting";
  /** Live calls in arrival order: id → { call (the snapshot), order, mark }. */
  const live = new Map();
  /** Target id → the live entries whose relatedCallId is it. */
  const relatedTo = new Map();
  /** Ended call ids still remembered (to refuse late reports), and the same ids oldest first, in a ring. */
  const ended = new Set();
  const endedRing = new Array(ENDED_MEMORY);
  let endedNext = 0;
  let arrivals = 0;
  let marks = 0;
  let connected = 0;
  let dialing = 0;
  let held = 0;

  const handlers = [];
  const ring = new Array(historyLimit);
  let ringNext = 0;
  let seq = 0;
  const queue = [];
  let delivering = false;

  /** Stamps nothing (the caller built the envelope): keeps it in the history and queues it. */
  function push(event) {
    if (historyLimit) {
      ring[ringNext++] = event;
      if (ringNext === historyLimit) ringNext = 0;
    }
    queue.push(event);
  }

  function deliver() {
    if (delivering || !queue.length) return;
    delivering = true;
    try {
      // Also delivers what listeners report meanwhile, in seq order.
      for (let i = 0; i < queue.length; i++) {
        const event = queue[i];
        for (let h = 0; h < handlers.length; h++) {
          try {
            handlers[h](event);
          } catch {
            // A throwing listener is skipped (core logs it to a silent logger by default).
          }
        }
      }
    } finally {
      queue.length = 0;
      delivering = false;
    }
  }

  function refuse(message, raw, callId) {
    const text = clip(`Ignored a bad connector report: ${message}`, TEXT);
    raw = copyRaw(raw);
    push(
      callId === undefined
        ? { type: "error", code: "INVALID_VENDOR_EVENT", message: text, retryable: false, raw, seq: ++seq, at: now(), connector: name }
        : { type: "error", code: "INVALID_VENDOR_EVENT", message: text, retryable: false, callId, raw, seq: ++seq, at: now(), connector: name },
    );
  }

  function count(state, by) {
    if (state === "connected") connected += by;
    else if (state === "dialing") dialing += by;
    else if (state === "held") held += by;
  }

  function relate(entry, target) {
    if (target === undefined) return;
    const set = relatedTo.get(target);
    if (set) set.add(entry);
    else relatedTo.set(target, new Set([entry]));
  }

  function unrelate(entry, target) {
    if (target === undefined) return;
    const set = relatedTo.get(target);
    if (set && set.delete(entry) && !set.size) relatedTo.delete(target);
  }

  /** The consult partner: the first live, non-wrap-up call in arrival order related either way. */
  function partnerOf(entry) {
    const call = entry.call;
    let best;
    if (call.relatedCallId !== undefined) {
      const t = live.get(call.relatedCallId);
      if (t !== undefined && t !== entry && t.call.state !== "wrapup") best = t;
    }
    const set = relatedTo.get(call.id);
    if (set !== undefined) for (const o of set) if (o !== entry && o.call.state !== "wrapup" && (best === undefined || o.order < best.order)) best = o;
    return best === undefined ? undefined : best.call;
  }

  /** The requests allowed on a live call now (the order of core's deriveActions). */
  function derive(entry) {
    const call = entry.call;
    const state = call.state;
    if (state === "ringing") {
      const actions = [];
      // Call waiting: another call connected or dialing (or held, without callWaiting) blocks answer.
      if (canAnswer && connected + dialing + (callWaiting ? 0 : held) === 0) actions.push("answer");
      if (canReject) actions.push("reject");
      return actions;
    }
    if (state === "dialing") return canHangup ? ["hangup"] : [];
    if (state === "wrapup") return canWrapUp ? ["completeWrapUp"] : [];
    // Connected or held.
    const partner = partnerOf(entry);
    const actions = canHangup ? ["hangup"] : [];
    if (state === "connected") {
      if (canHold) actions.push("hold");
      if (canMute) actions.push(call.muted ? "unmute" : "mute");
      if (canDtmf) actions.push("sendDtmf");
      if (partner === undefined && call.direction !== "consult") {
        if (canBlind) actions.push("blindTransfer");
        if (canConsult) actions.push("consult");
      }
    } else {
      if (canMute && call.muted) actions.push("unmute");
      // A held call is not the one connected or dialing: the counts are the others.
      if (canHold && partner === undefined && connected + dialing === 0) actions.push("resume");
    }
    if (canDrop && liveRemotes(call.parties) > 1) actions.push("dropParty");
    if (partner !== undefined && (partner.state === "connected" || partner.state === "held")) {
      if (canComplete) actions.push("completeTransfer");
      if (canConference) actions.push("conference");
      if (canSwap && state !== partner.state) actions.push("swap");
    }
    return actions;
  }

  /** Re-derives another call's actions; a new snapshot and a call.updated when they moved. */
  function refresh(entry, updated) {
    const actions = derive(entry);
    if (sameList(actions, entry.call.actions)) return;
    const call = { ...entry.call };
    call.actions = actions;
    entry.call = call;
    updated.push(call);
  }

  function upsert(r) {
    // Every field, in the order core checks them (the first bad one is named).
    if (!isObject(r)) return refuse("a call report must be an object", r);
    const { id, state, vendorCallId, direction, from, fromName, to, queue: callQueue, relatedCallId, muted, endReason, media, wrapUpEndsAt } = r;
    if (!isId(id)) return refuse(`id is invalid (${show(id)})`, r);
    if (!CALL_STATES.has(state)) return refuse(`state is invalid (${show(state)})`, r);
    if (vendorCallId !== undefined && !isId(vendorCallId)) return refuse(`vendorCallId is invalid (${show(vendorCallId)})`, r);
    if (direction !== undefined && !DIRECTIONS.has(direction)) return refuse(`direction is invalid (${show(direction)})`, r);
    if (badText(from, TEXT)) return refuse(`from is invalid (${show(from)})`, r);
    if (badText(fromName, TEXT)) return refuse(`fromName is invalid (${show(fromName)})`, r);
    if (badText(to, TEXT)) return refuse(`to is invalid (${show(to)})`, r);
    if (badText(callQueue, TEXT)) return refuse(`queue is invalid (${show(callQueue)})`, r);
    if (relatedCallId !== undefined && !isId(relatedCallId)) return refuse(`relatedCallId is invalid (${show(relatedCallId)})`, r);
    let parties;
    if (r.parties !== undefined && (parties = copyParties(r.parties)) === undefined) return refuse(`parties is invalid (${show(r.parties)})`, r);
    if (muted !== undefined && typeof muted !== "boolean") return refuse(`muted is invalid (${show(muted)})`, r);
    const data = r.data;
    if (data !== undefined && !dataOk(data)) return refuse(`data is invalid (${show(data)})`, r);
    if (endReason !== undefined && !END_REASONS.has(endReason)) return refuse(`endReason is invalid (${show(endReason)})`, r);
    let failure;
    if (r.failure !== undefined && (failure = copyFailure(r.failure)) === undefined) return refuse(`failure is invalid (${show(r.failure)})`, r);
    if (media !== undefined && !MEDIA_STATES.has(media)) return refuse(`media is invalid (${show(media)})`, r);
    let wrapUp;
    if (r.wrapUp !== undefined && (wrapUp = copyWrapUp(r.wrapUp)) === undefined) return refuse(`wrapUp is invalid (${show(r.wrapUp)})`, r);
    if (wrapUpEndsAt !== undefined && !(Number.isFinite(wrapUpEndsAt) && wrapUpEndsAt >= 0)) return refuse(`wrapUpEndsAt is invalid (${show(wrapUpEndsAt)})`, r);

    // The transition: ringing|dialing → connected ⇄ held → wrapup → ended.
    const over = state === "wrapup" || state === "ended";
    let entry = live.get(id);
    const old = entry === undefined ? undefined : entry.call;
    if (old === undefined) {
      if (state === "ended") return; // a call already over: nothing to show
      if (ended.has(id)) return refuse(`call ${id} has ended and cannot become ${state}`, r, id);
      if (live.size >= maxCalls) return refuse(`more than ${maxCalls} live calls`, r, id);
    } else if (!(old.state === state || over || (old.state !== "wrapup" && (state === "connected" || state === "held")))) {
      return refuse(`call ${id} cannot go from ${old.state} to ${state}`, r, id);
    }

    // The one new snapshot (its key order is core's: the base fields, then each field as it first appears).
    const t = now();
    const call =
      old === undefined
        ? { id, vendorCallId: id, direction: "unknown", state, parties: [], muted: false, data: {}, startedAt: t, actions: [] }
        : { ...old };
    call.state = state;
    if (muted !== undefined) call.muted = muted;
    if (vendorCallId !== undefined) call.vendorCallId = vendorCallId;
    if (direction !== undefined) call.direction = direction;
    if (from !== undefined) call.from = from;
    if (fromName !== undefined) call.fromName = fromName;
    if (to !== undefined) call.to = to;
    if (callQueue !== undefined) call.queue = callQueue;
    if (relatedCallId !== undefined) call.relatedCallId = relatedCallId;
    if (endReason !== undefined) call.endReason = endReason;
    if (media !== undefined) call.media = media;
    if (wrapUpEndsAt !== undefined) call.wrapUpEndsAt = wrapUpEndsAt;
    if (parties !== undefined) call.parties = parties;
    if (wrapUp !== undefined) call.wrapUp = wrapUp;
    if (data !== undefined) call.data = { ...data };
    if ((state === "connected" || state === "held") && call.connectedAt === undefined) call.connectedAt = t;
    if (over) {
      if (call.endedAt === undefined) call.endedAt = t;
      // Nobody is on a call that is over, and its media is no condition any more.
      const ps = call.parties;
      for (let i = 0; i < ps.length; i++) {
        if (ps[i].state === "disconnected") continue;
        const out = ps.slice(0, i);
        for (; i < ps.length; i++) out.push(ps[i].state === "disconnected" ? ps[i] : { ...ps[i], state: "disconnected" });
        call.parties = out;
      }
      if (call.media !== undefined) delete call.media;
      if (failure !== undefined) call.failure = failure;
      else if (call.endReason === "failed" && call.failure === undefined) call.failure = { code: "VENDOR_ERROR", message: "The vendor did not say why the call failed." };
    }

    // Which events: at most one per kind of change.
    const types = [];
    const stateChanged = old === undefined || old.state !== state;
    if (old === undefined || (stateChanged && over)) {
      // A first or final snapshot carries every field: the outcome only.
      if (old !== undefined && call.endReason === "transferred" && old.state !== "wrapup") types.push("call.transferred");
      types.push(STATE_EVENT[state]);
    } else {
      if (stateChanged) types.push(old.state === "held" && state === "connected" ? "call.resumed" : STATE_EVENT[state]);
      if (old.muted !== call.muted) types.push(call.muted ? "call.muted" : "call.unmuted");
      if (!sameParties(old.parties, call.parties)) {
        if (liveRemotes(old.parties) < 2 && liveRemotes(call.parties) >= 2) types.push("call.conferenced");
        else if (!stateChanged) types.push("call.parties");
      }
      if (data !== undefined && !sameData(old.data, call.data)) types.push("call.data");
      if (
        !stateChanged &&
        (old.vendorCallId !== call.vendorCallId ||
          old.direction !== call.direction ||
          old.from !== call.from ||
          old.fromName !== call.fromName ||
          old.to !== call.to ||
          old.queue !== call.queue ||
          old.relatedCallId !== call.relatedCallId ||
          old.endReason !== call.endReason ||
          old.media !== call.media ||
          old.wrapUpEndsAt !== call.wrapUpEndsAt ||
          old.wrapUp?.disposition !== call.wrapUp?.disposition ||
          old.wrapUp?.notes !== call.wrapUp?.notes ||
          old.failure?.code !== call.failure?.code ||
          old.failure?.vendorCode !== call.failure?.vendorCode ||
          old.failure?.message !== call.failure?.message)
      )
        types.push("call.updated");
    }
    if (!types.length) return;

    // The store, its counts and the consult index; what else may have moved.
    const answerBlocked = connected + dialing + (callWaiting ? 0 : held) > 0;
    const resumeBlocked = connected + dialing > 0;
    const relationMoved = old === undefined || stateChanged || old.relatedCallId !== call.relatedCallId;
    if (old !== undefined) {
      count(old.state, -1);
      if (relationMoved) unrelate(entry, old.relatedCallId);
    }
    if (state === "ended") {
      live.delete(id);
      // Remembered, and the oldest of them forgotten past ENDED_MEMORY (an id is
      // never in the ring twice: a remembered id cannot be a live call again).
      if (endedRing[endedNext] !== undefined) ended.delete(endedRing[endedNext]);
      endedRing[endedNext] = id;
      if (++endedNext === ENDED_MEMORY) endedNext = 0;
      ended.add(id);
      call.actions = [];
    } else {
      if (entry === undefined) live.set(id, (entry = { call, order: ++arrivals, mark: 0 }));
      else entry.call = call;
      count(state, 1);
      if (relationMoved) relate(entry, call.relatedCallId);
      call.actions = derive(entry);
    }
    // Other calls: the consult partners of this one (before and after), and every
    // ringing (held) call when "another call blocks answer (resume)" flipped.
    const ringFlip = canAnswer && answerBlocked !== connected + dialing + (callWaiting ? 0 : held) > 0;
    const heldFlip = canHold && resumeBlocked !== connected + dialing > 0;
    const updated = [];
    let related;
    if (relationMoved) {
      const mark = ++marks;
      const set = relatedTo.get(id);
      if (set !== undefined) for (const o of set) related = addRelated(related, o, id, mark);
      if (old !== undefined && old.relatedCallId !== undefined) related = addRelated(related, live.get(old.relatedCallId), id, mark);
      if (call.relatedCallId !== undefined) related = addRelated(related, live.get(call.relatedCallId), id, mark);
    }
    if (ringFlip || heldFlip) {
      const mark = related === undefined ? -1 : marks;
      for (const o of live.values()) {
        if (o.call.id === id) continue;
        const s = o.call.state;
        if ((ringFlip && s === "ringing") || (heldFlip && s === "held") || o.mark === mark) refresh(o, updated);
      }
    } else if (related !== undefined) {
      if (related.length > 1) related.sort((a, b) => a.order - b.order);
      for (const o of related) refresh(o, updated);
    }

    for (const type of types) push({ type, call, seq: ++seq, at: now(), connector: name });
    for (const other of updated) push({ type: "call.updated", call: other, seq: ++seq, at: now(), connector: name });
  }

  function removeCall(id, endReason, failure) {
    if (!isId(id)) return refuse("removeCall needs an id", { id, endReason });
    if (endReason !== undefined && !END_REASONS.has(endReason)) return refuse(`endReason is invalid (${show(endReason)})`, { id, endReason }, id);
    const entry = live.get(id);
    if (entry === undefined) return;
    upsert({ id, state: "ended", endReason: endReason ?? entry.call.endReason ?? "unknown", failure });
  }

  function setLink(state, reason) {
    if (!LINK_STATES.has(state)) return refuse(`link state is invalid (${show(state)})`, { state, reason });
    if (state === link) return;
    const previous = link;
    link = state;
    push(
      typeof reason === "string" && reason.length > 0
        ? { type: "link.changed", link: state, previous, reason: clip(reason, TEXT), seq: ++seq, at: now(), connector: name }
        : { type: "link.changed", link: state, previous, seq: ++seq, at: now(), connector: name },
    );
  }

  return {
    ctx: {
      setLink(state, reason) {
        setLink(state, reason);
        deliver();
      },
      upsertCall(report) {
        upsert(report);
        deliver();
      },
      removeCall(id, endReason, failure) {
        removeCall(id, endReason, failure);
        deliver();
      },
    },
    /** Calls `handler` for every event. */
    on(handler) {
      handlers.push(handler);
    },
    /** The most recent events, oldest first (at most `historyLimit`). */
    events: () => [...ring.slice(ringNext), ...ring.slice(0, ringNext)].filter((e) => e),
    /** The live calls, oldest first. */
    calls: () => [...live.values()].map((e) => e.call),
  };
}
