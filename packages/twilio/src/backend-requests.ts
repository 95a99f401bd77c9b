/**
 * The requests that go through the call-control backend (Twilio Conference on
 * the server): hold, resume, blind and consult transfer, conference, drop a
 * party, recording pause/resume, a session's mode. The connector wires them
 * only when a backend is configured.
 */
import { CtiError, type Connector, type CtiErrorCode, type EndReason } from "@opencti/core";
import type { CallControlBackend } from "./backend.js";
import type { TwilioCall } from "./device.js";
import * as map from "./mapping.js";
import { DEFAULTS } from "./options.js";

export const fail = (code: CtiErrorCode, message: string, request?: string): never => {
  throw new CtiError(code, message, request === undefined ? {} : { request });
};

export interface CallEntry extends map.CallFacts {
  readonly call: TwilioCall;
  /** Set when our own request (or the SDK on the agent's behalf) ends the call, so the SDK's disconnect gets the right reason. */
  localEnd?: EndReason;
  /** The last SDK error on this call (an outbound call failing busy, declined, …). */
  error?: map.CallError;
}

/** What the backend requests need from the connector. */
interface ConnectorCalls {
  readonly calls: ReadonlyMap<string, CallEntry>;
  readonly consults: Map<string, map.ConsultFacts>;
  readonly stopped: () => boolean;
  entryFor(id: string): CallEntry;
  sidOf(entry: CallEntry): string;
  report(leg: CallEntry | map.ConsultFacts): void;
  end(leg: CallEntry | map.ConsultFacts, reason: EndReason): void;
}

export function backendRequests(b: CallControlBackend, c: ConnectorCalls): Partial<Connector> {
  const { consults, entryFor, sidOf, report, end } = c;

  /** The primary call and its consult leg, whichever of the two the desktop passed as `call`. */
  function pair(a: string, bId: string): [CallEntry, map.ConsultFacts] {
    const consult = consults.get(bId) ?? consults.get(a);
    const primary = consult ? c.calls.get(consult.primaryId) : undefined;
    return consult && primary ? [primary, consult] : fail("INVALID_STATE", "There is no consult call to complete");
  }

  /**
   * A transfer: once the backend removed the agent's leg, Twilio hangs it up and the call ends `transferred`
   * (disconnected here if that has not come within the grace time); a refusal changes nothing.
   */
  async function transfer(entry: CallEntry, request: () => Promise<void>): Promise<void> {
    entry.localEnd = "transferred";
    try {
      await request();
    } catch (error) {
      delete entry.localEnd;
      throw error;
    }
    const timer = setTimeout(() => c.calls.get(entry.id) === entry && !c.stopped() && entry.call.disconnect(), DEFAULTS.transferHangupGraceMs);
    entry.call.once("disconnect", () => clearTimeout(timer));
  }

  /** Twilio holds the customer (the conference participant); the agent's call is held for the desktop. */
  async function setHeld(entry: CallEntry, held: boolean, signal: AbortSignal): Promise<void> {
    await (held ? b.hold({ callSid: sidOf(entry) }, signal) : b.resume({ callSid: sidOf(entry) }, signal));
    entry.state = held ? "held" : "connected";
    report(entry);
  }

  /** The recording as the backend answered (Twilio's Recordings API has done it); a backend without it is NOT_SUPPORTED. */
  async function setRecording(entry: CallEntry, pause: boolean, signal: AbortSignal): Promise<void> {
    const request = pause ? "pauseRecording" : "resumeRecording";
    const method = b[request] ?? fail("NOT_SUPPORTED", "This call-control backend cannot pause or resume recordings", request);
    const { recording } = await method.call(b, { callSid: sidOf(entry) }, signal);
    entry.recording = recording;
    report(entry);
  }
  return {
    pauseRecording: ({ call, signal }) => setRecording(entryFor(call.id), true, signal),
    resumeRecording: ({ call, signal }) => setRecording(entryFor(call.id), false, signal),
    /** A session's new mode: the backend updates the supervisor's participant (muted, coaching) and says the mode it is in. */
    async setMonitorMode({ call, mode, signal }) {
      const entry = entryFor(call.id);
      if (entry.direction !== "monitor") return fail("INVALID_STATE", "That call is not a monitoring session", "setMonitorMode");
      const change = b.setMonitorMode ?? fail("NOT_SUPPORTED", "This call-control backend cannot change a monitoring session", "setMonitorMode");
      entry.monitorMode = (await change.call(b, { callSid: sidOf(entry), mode }, signal)).mode;
      report(entry);
    },
    hold: ({ call, signal }) => setHeld(entryFor(call.id), true, signal),
    resume: ({ call, signal }) => setHeld(entryFor(call.id), false, signal),
    async blindTransfer({ call, destination, signal }) {
      const entry = entryFor(call.id);
      await transfer(entry, () => b.blindTransfer({ callSid: sidOf(entry), to: destination }, signal));
    },
    async consult({ call, destination, signal }) {
      const entry = entryFor(call.id);
      const { callSid } = await b.consult({ callSid: sidOf(entry), to: destination }, signal);
      entry.state = "held";
      report(entry);
      const consult = map.consultCall(entry.id, callSid, destination);
      consults.set(consult.id, consult);
      report(consult);
      return { callId: consult.id };
    },
    async completeTransfer({ call, consultCall, signal }) {
      const [entry, consult] = pair(call.id, consultCall.id);
      await transfer(entry, () => b.completeTransfer({ callSid: sidOf(entry), consultCallSid: consult.partySid }, signal));
      end(consult, "transferred");
    },
    async conference({ call, consultCall, signal }) {
      const [entry, consult] = pair(call.id, consultCall.id);
      await b.conference({ callSid: sidOf(entry), consultCallSid: consult.partySid }, signal);
      entry.state = "connected";
      entry.thirdParties.set(consult.partySid, map.conferenceMember(consult));
      report(entry);
      end(consult, "merged");
    },
    async dropParty({ call, party, signal }) {
      const entry = entryFor(call.id);
      const member = entry.thirdParties.get(party.id);
      if (!member) return fail("INVALID_ARGUMENT", "Only a conference member the agent added can be dropped", "dropParty");
      await b.dropParty({ callSid: sidOf(entry), partyCallSid: member.id }, signal);
      entry.thirdParties.set(member.id, { ...member, state: "disconnected" });
      report(entry);
    },
  };
}
