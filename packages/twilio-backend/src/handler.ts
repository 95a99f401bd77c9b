/**
 * The reference call-control backend for @opencti/twilio: a Node `http`
 * request handler implementing the connector's JSON contract with Twilio
 * Conference participants through the official `twilio` library.
 *
 * Assumes the integrator's TwiML bridges each customer and the agent's
 * client leg in a `<Conference>`, the customer's participant labelled
 * "customer" with endConferenceOnExit=false; the legs this backend dials are
 * labelled "consult" and "transfer".
 *
 * Trust boundaries (README, "Authorization model"): every browser request is
 * authenticated to an agent identity, may only act through a leg that is that
 * identity's AND is its conference's owning agent leg (neither the customer
 * nor a consult/transfer participant), names only SIDs that pass their format
 * check before the twilio client builds a URL from them, dials only allowed
 * destinations, and ends within a deadline; answers carry fixed messages only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import twilio from "twilio";
import type { AgentStream, AgentStreamEvent } from "./agent-stream.js";
import { createCallAgents, type CallAgent } from "./call-agents.js";
import { ContractError, FAIL, fromTwilio, scrubError } from "./contract.js";
import { CLIENT_IDENTITY, destinationAllowed, type DestinationPolicy } from "./destinations.js";
import { CALL_SID, CONFERENCE_SID, CUSTOMER_LABEL, DROPPABLE_LABELS, clientOf, isAdded, isSupervisor, labelOf, supervisorLabel, watchedBy } from "./legs.js";
import { MalformedCallback, parseMediaStream, parseTranscription, transcriptEvent } from "./voice-ai.js";

export type { DestinationPolicy } from "./destinations.js";

/** How a supervisor is on an agent's call: listening, coaching the agent (whisper), or in the conversation (barge). */
export type MonitorMode = "monitor" | "whisper" | "barge";

/** What `authorizeSupervisor` decides on. */
export interface SupervisorRequest {
  /** The authenticated identity asking (the supervisor's Twilio Client identity). */
  readonly supervisor: string;
  /** The watched agent's Twilio Client identity (the `client:` of its leg). */
  readonly agent: string;
  /** The watched agent's leg (its CallSid): the conference's owning agent leg. */
  readonly agentCallSid: string;
  /** The mode asked for (a session's start, and each change of mode). */
  readonly mode: MonitorMode;
}

export interface CallControlHandlerOptions {
  /** An official twilio client (`twilio(accountSid, authToken)` or with an API key). */
  client: twilio.Twilio;
  /** This handler's public base URL, for Twilio's status callbacks (`<publicUrl>/status`, `<publicUrl>/conference-status`). */
  publicUrl: string;
  /** The caller ID for legs the backend dials (consult and transfer targets). */
  callerId: string;
  /** Hold music (TwiML or audio URL); Twilio's default when omitted. */
  holdUrl?: string;
  /** The account's auth token: Twilio's status callbacks must carry a valid X-Twilio-Signature. Required. */
  authToken: string;
  /**
   * The agent behind a browser request: its Twilio Client identity (the
   * `client:<identity>` of its call legs), or undefined to refuse (401).
   * `accessTokenAuthenticator(…)` verifies the browser's Voice access token.
   * Required unless insecureAllowAnyAgentForLocalTesting.
   */
  authenticate?: (req: IncomingMessage) => Promise<string | undefined> | string | undefined;
  /** A local lab only: without `authenticate`, every request may act on every call. */
  insecureAllowAnyAgentForLocalTesting?: boolean;
  /** Origins a browser may call from (`Origin` header, exact match); default: publicUrl's origin. Requests without Origin (non-browser clients) pass. */
  allowedOrigins?: readonly string[];
  /** Where consults and transfers may dial; default: any E.164 number, no SIP, no client. */
  destinations?: DestinationPolicy;
  /** An extra say on each destination, after `destinations` (e.g. per-agent rules). */
  allowDestination?: (to: string, identity: string | undefined) => boolean | Promise<boolean>;
  /** Deadline for one request, Twilio round trips included → 504 REQUEST_TIMEOUT. Default 10 000. */
  operationTimeoutMs?: number;
  /**
   * When a call's conference is not known from conference status callbacks,
   * how many in-progress conferences may be searched (the first that Twilio
   * lists; a call in another one is not found). Default 20.
   */
  maxConferenceScan?: number;
  /**
   * Whether this handler hears every conference status callback (`"all"`: one
   * instance, the `<Conference statusCallback>` configured) or maybe only
   * some (`"some"`, the default: several instances behind a balancer, or no
   * callbacks). With `"all"`, once a callback has arrived, a Voice AI
   * callback's call that started later (Call `startTime`, one request per
   * call, a minute's margin for the clocks) and joined no conference this
   * handler heard of is taken as not bridged yet, without searching the
   * in-progress conferences. Calls already going when the handler started
   * are still searched for.
   */
  conferenceStatusCallbacks?: "all" | "some";
  /** Where to report failures, scrubbed of credentials. */
  onError?: (error: Error) => void;
  /**
   * Whether `supervisor` may monitor, whisper to or barge into `agent`'s
   * call, asked at a session's start and at each change of mode. Default:
   * nobody may (monitor and setMonitorMode answer 403). Never called for an
   * agent's own call, which is refused before.
   */
  authorizeSupervisor?: (request: SupervisorRequest) => boolean | Promise<boolean>;
  /**
   * Whose Call resource holds the recording pauseRecording / resumeRecording
   * act on (`calls(sid).recordings("Twilio.CURRENT")`): the customer's leg
   * (default; e.g. `<Dial record>` or Create Recording on the inbound call),
   * or the agent's.
   */
  recordedLeg?: "customer" | "agent";
  /**
   * The agents' event stream (`createAgentStream(…)` of `@opencti/agent-stream`,
   * or anything of that shape). With it the handler also serves
   * `POST <publicUrl>/stream-ticket` (an authenticated agent's ticket),
   * `GET <publicUrl>/events?ticket=…` (its server-sent events), and Twilio's
   * signed Voice AI callbacks `POST <publicUrl>/transcription` (Real-Time
   * Transcription) and `POST <publicUrl>/media-stream` (Media Streams), which
   * it publishes to the agent of the call. Without it those routes answer 404.
   */
  agentStream?: AgentStream;
}

type Body = Record<string, unknown>;
const fail = (error: ContractError): never => {
  throw error;
};
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
interface Reply {
  status: number;
  body?: Body;
}
/** Per request: the answer when the deadline passes, if not 504 (a partial transcript: 204, so that Twilio does not retry it). */
interface Deadline {
  onTimeout?: Reply;
}

/** Served only with an agentStream (404 without). */
const STREAM_ROUTES: ReadonlySet<string> = new Set(["stream-ticket", "events", "transcription", "media-stream"]);
/** The last path segment: the operation or callback asked for. */
const routeOf = (req: IncomingMessage): string => new URL(req.url ?? "/", "http://localhost").pathname.split("/").pop() ?? "";

const OPERATIONS = ["hold", "resume", "blindTransfer", "consult", "completeTransfer", "conference", "dropParty", "pauseRecording", "resumeRecording", "monitor", "setMonitorMode", "stopMonitor"] as const;
type Operation = (typeof OPERATIONS)[number];
const isOperation = (name: string): name is Operation => (OPERATIONS as readonly string[]).includes(name);

const MONITOR_MODES: readonly MonitorMode[] = ["monitor", "whisper", "barge"];

/**
 * A supervisor participant's settings per mode (Conference Participant
 * resource, https://www.twilio.com/docs/voice/api/conference-participant-resource):
 * monitor muted; whisper unmuted and coaching the agent's leg (only the coached
 * participant hears a coaching one); barge unmuted, not coaching.
 */
function modeSettings(mode: MonitorMode, agentCallSid: string): { muted: boolean; coaching: boolean; callSidToCoach?: string } {
  if (mode === "whisper") return { muted: false, coaching: true, callSidToCoach: agentCallSid };
  return { muted: mode === "monitor", coaching: false };
}

const MAX_BODY = 64 * 1024;
const MAX_INDEXED_CALLS = 10_000;

/** The conference whose owning agent leg is `agentCallSid`, with the customer's leg and everyone else's. */
interface Located {
  conferenceSid: string;
  agentCallSid: string;
  customerCallSid: string;
  participants: ReadonlySet<string>;
  /** Each participant's label ("" for none). */
  labels: ReadonlyMap<string, string>;
}

/** One request's view of Twilio: every REST call checks the deadline first, and its failure becomes a contract error. */
type Rest = <T>(call: () => Promise<T>) => Promise<T>;

interface Request {
  body: Body;
  identity: string | undefined;
  rest: Rest;
}

// ---- request parsing ----------------------------------------------------

function text(body: Body, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value === "") throw FAIL.missing(key);
  return value;
}

function callSid(body: Body, key: string): string {
  const value = text(body, key);
  if (!CALL_SID.test(value)) throw FAIL.notSid(key);
  return value;
}

function monitorMode(body: Body): MonitorMode {
  const value = text(body, "mode");
  if (!(MONITOR_MODES as readonly string[]).includes(value)) throw FAIL.badMode();
  return value as MonitorMode;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw FAIL.tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJsonBody(raw: string): Body {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw FAIL.notJson();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw FAIL.notJson();
  return body as Body;
}

/** application/json only: a cross-site form or `text/plain` beacon cannot send it without a CORS preflight. */
function requireJson(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw FAIL.notJsonType();
}

/** Runs `work` until `ms` passes; after that, `rest` refuses to start further Twilio calls. */
async function withDeadline<T>(ms: number, work: (expired: () => boolean) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(FAIL.timeout());
    }, ms);
  });
  try {
    return await Promise.race([work(() => expired), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- the handler ----------------------------------------------------------

export function createCallControlHandler(options: CallControlHandlerOptions): Handler {
  // Closed by default: no identity, no per-call check; no auth token, forged status callbacks.
  if (typeof options.authenticate !== "function" && options.insecureAllowAnyAgentForLocalTesting !== true) {
    throw new TypeError("createCallControlHandler: authenticate is required (e.g. accessTokenAuthenticator({ apiKeySecret })); a local lab may pass insecureAllowAnyAgentForLocalTesting: true instead");
  }
  if (typeof options.authToken !== "string" || options.authToken === "") {
    throw new TypeError("createCallControlHandler: authToken is required (it verifies the X-Twilio-Signature of Twilio's status callbacks)");
  }
  if (!options.authenticate) console.warn("@opencti/twilio-backend: insecureAllowAnyAgentForLocalTesting is on: any request may act on any call. Never deploy this.");

  const { client } = options;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const allowedOrigins = new Set(options.allowedOrigins ?? [new URL(publicUrl).origin]);
  const timeoutMs = options.operationTimeoutMs ?? 10_000;
  const maxScan = options.maxConferenceScan ?? 20;
  // What onError must never see, besides the patterns scrubText knows.
  const secrets = [options.authToken, client.password, client.username && client.password ? Buffer.from(`${client.username}:${client.password}`).toString("base64") : ""].filter((s): s is string => typeof s === "string" && s !== "");
  const report = (error: unknown): void => {
    try {
      options.onError?.(scrubError(error, secrets));
    } catch {
      // A failing reporter must not change the answer.
    }
  };

  /** CallSid → ConferenceSid, from signed conference status callbacks; oldest entries go first past the cap. */
  const conferenceOf = new Map<string, string>();
  const remember = (call: string, conference: string): void => {
    conferenceOf.delete(call);
    conferenceOf.set(call, conference);
    if (conferenceOf.size > MAX_INDEXED_CALLS) conferenceOf.delete(conferenceOf.keys().next().value!);
  };
  const stream = options.agentStream;
  /** When the first signed conference status callback arrived (ms): since then, with conferenceStatusCallbacks "all", conferenceOf hears every join. */
  let conferenceCallbacksSince: number | undefined;
  /** CallSid → its conference's agent, for the Voice AI callbacks. */
  const agents = createCallAgents({
    client,
    conferenceOf: (call) => conferenceOf.get(call),
    remember,
    maxScan,
    indexedSince: () => (options.conferenceStatusCallbacks === "all" ? conferenceCallbacksSince : undefined),
  });

  // ---- who may act on which call ----

  function checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    // No Origin: not a browser (browsers send it on every POST), so no cross-site request to fear.
    if (origin !== undefined && !allowedOrigins.has(origin)) throw FAIL.origin();
  }

  async function identify(req: IncomingMessage): Promise<string | undefined> {
    if (!options.authenticate) return undefined; // the insecure lab mode
    const identity = await options.authenticate(req);
    if (typeof identity !== "string" || identity === "") throw FAIL.unauthenticated();
    // Pasted into `client:<identity>` legs and dial destinations: nothing that could split that URL.
    if (!CLIENT_IDENTITY.test(identity)) throw FAIL.badIdentity();
    return identity;
  }

  /**
   * The leg must be the identity's Twilio Client leg. A leg is one browser's
   * only: a call that came into Twilio (`direction` "inbound") is its
   * caller's, so `from` = `client:<identity>` (the browser placed it); any
   * other leg is the callee's, so `to` = `client:<identity>` (Twilio rang the
   * browser). A leg Alice's browser call rang to Bob (`from` client:alice,
   * `to` client:bob) is Bob's, not Alice's.
   */
  async function checkOwnership(r: Request, agentCallSid: string): Promise<void> {
    const call = await r.rest(() => client.calls(agentCallSid).fetch()); // unknown: one 404 → INVALID_STATE
    if (r.identity === undefined) return;
    const owner = call.direction === "inbound" ? call.from : call.to;
    if (owner !== `client:${r.identity}`) throw FAIL.notYourCall();
  }

  /**
   * The participants of a conference, or undefined when the call is not among
   * them. The call must be the conference's owning agent leg: the one
   * participant that is neither the customer nor labelled consult/transfer
   * (403 when it is one of those; 409 when another unlabelled leg makes the
   * owner ambiguous).
   */
  async function membersWith(r: Request, conferenceSid: string, agentCallSid: string): Promise<Located | undefined> {
    if (!CONFERENCE_SID.test(conferenceSid)) return undefined;
    const participants = await r.rest(() => client.conferences(conferenceSid).participants.list({ limit: 250 }));
    const self = participants.find((p) => p.callSid === agentCallSid);
    if (!self) return undefined;
    if (labelOf(self) === CUSTOMER_LABEL || isAdded(labelOf(self))) throw FAIL.notOwningAgent();
    // Everyone but the parties this backend dialled: the customer and the owning agent.
    const principals = participants.filter((p) => !isAdded(labelOf(p)));
    const customer = principals.find((p) => labelOf(p) === CUSTOMER_LABEL) ?? (principals.length === 2 ? principals.find((p) => p !== self) : undefined);
    if (!customer || !CALL_SID.test(customer.callSid)) throw FAIL.noCustomer();
    if (principals.length !== 2) throw FAIL.ambiguousAgent();
    return { conferenceSid, agentCallSid, customerCallSid: customer.callSid, participants: new Set(participants.map((p) => p.callSid)), labels: new Map(participants.map((p) => [p.callSid, labelOf(p)])) };
  }

  /**
   * The agent's conference, after the ownership check. Known from conference
   * status callbacks: one participant list. Otherwise a bounded search of
   * in-progress conferences (at most maxConferenceScan participant lists).
   */
  async function locate(r: Request, agentCallSid: string, owned = true): Promise<Located> {
    if (owned) await checkOwnership(r, agentCallSid);
    const known = conferenceOf.get(agentCallSid);
    if (known) {
      // A conference that ended since (404) or that the call left: forget it and search.
      const found = await membersWith(r, known, agentCallSid).catch((e: unknown) => {
        if (e instanceof ContractError && e.code === "INVALID_STATE") return undefined;
        throw e;
      });
      if (found) return found;
      conferenceOf.delete(agentCallSid);
    }
    const conferences = await r.rest(() => client.conferences.list({ status: "in-progress", limit: maxScan }));
    for (const conference of conferences.slice(0, maxScan)) {
      const found = await membersWith(r, conference.sid, agentCallSid);
      if (!found) continue;
      remember(agentCallSid, found.conferenceSid);
      return found;
    }
    throw FAIL.noConference();
  }

  /** A consult or party CallSid must be a participant of the agent's own conference. */
  function requireMember(at: Located, sid: string): void {
    if (!at.participants.has(sid)) throw FAIL.notInConference();
  }

  /** completeTransfer / conference: the party must be one the agent dialled (`consult` or `transfer`), never a supervisor, the customer or the agent. */
  function requireConsultParty(at: Located, sid: string): void {
    requireMember(at, sid);
    if (!DROPPABLE_LABELS.has(at.labels.get(sid) ?? "")) throw FAIL.notConsultParty();
  }

  async function destination(r: Request): Promise<string> {
    const to = text(r.body, "to");
    if (!destinationAllowed(to, options.destinations)) throw FAIL.destination();
    if (options.allowDestination && !(await options.allowDestination(to, r.identity))) throw FAIL.destination();
    return to;
  }

  // ---- the operations: parse and check everything, then act ----

  const participant = (at: Located, sid: string) => client.conferences(at.conferenceSid).participants(sid);
  const setHold = (r: Request, at: Located, hold: boolean) => r.rest(() => participant(at, at.customerCallSid).update(hold && options.holdUrl ? { hold, holdUrl: options.holdUrl } : { hold }));
  /** Removes participants; one that already left (404) is gone, as wanted. */
  const removeAll = (r: Request | Rest, conferenceSid: string, sids: readonly string[]) =>
    Promise.all(
      sids.map((sid) =>
        (typeof r === "function" ? r : r.rest)(() => client.conferences(conferenceSid).participants(sid).remove()).catch((e: unknown) => {
          if (!(e instanceof ContractError && e.code === "INVALID_STATE")) throw e;
          return false;
        }),
      ),
    );
  /**
   * The agent leaves its conference (blind or completed transfer): every
   * supervisor goes first (a session is authorized for the agent's call, not
   * for the customer and whoever it was handed to), then the agent's leg
   * (Twilio hangs it up).
   */
  const removeAgent = async (r: Request, at: Located) => {
    await removeAll(r, at.conferenceSid, [...at.labels].filter(([, label]) => isSupervisor(label)).map(([sid]) => sid));
    await r.rest(() => participant(at, at.agentCallSid).remove());
    agents.changed(at.agentCallSid, at.conferenceSid); // the customer's transcript is no longer this agent's
  };
  const statusCallback = (agentCallSid: string): string => `${publicUrl}/status?agentCallSid=${agentCallSid}`;

  const operations: Record<Operation, (r: Request) => Promise<Body>> = {
    async hold(r) {
      await setHold(r, await locate(r, callSid(r.body, "callSid")), true);
      return {};
    },
    async resume(r) {
      await setHold(r, await locate(r, callSid(r.body, "callSid")), false);
      return {};
    },
    async blindTransfer(r) {
      const agent = callSid(r.body, "callSid");
      const to = await destination(r);
      const at = await locate(r, agent);
      await r.rest(() => client.conferences(at.conferenceSid).participants.create({ from: options.callerId, to, label: "transfer", endConferenceOnExit: false }));
      await removeAgent(r, at);
      return {};
    },
    async consult(r) {
      const agent = callSid(r.body, "callSid");
      const to = await destination(r);
      const at = await locate(r, agent);
      await setHold(r, at, true);
      const added = await r.rest(() =>
        client.conferences(at.conferenceSid).participants.create({
          from: options.callerId,
          to,
          label: "consult",
          endConferenceOnExit: false,
          statusCallback: statusCallback(agent),
          statusCallbackEvent: ["ringing", "answered", "completed"],
        }),
      );
      return { callSid: added.callSid };
    },
    async completeTransfer(r) {
      const agent = callSid(r.body, "callSid");
      const consult = callSid(r.body, "consultCallSid");
      const at = await locate(r, agent);
      requireConsultParty(at, consult);
      await setHold(r, at, false);
      await removeAgent(r, at);
      return {};
    },
    async conference(r) {
      const agent = callSid(r.body, "callSid");
      const consult = callSid(r.body, "consultCallSid");
      const at = await locate(r, agent);
      requireConsultParty(at, consult);
      await setHold(r, at, false);
      return {};
    },
    async dropParty(r) {
      const agent = callSid(r.body, "callSid");
      const party = callSid(r.body, "partyCallSid");
      const at = await locate(r, agent);
      // at.agentCallSid is the conference's owning agent leg (membersWith): never dropped here, nor the customer, nor a supervisor.
      if (party === at.agentCallSid || party === at.customerCallSid) throw FAIL.onlyAddedParty();
      requireMember(at, party);
      if (!DROPPABLE_LABELS.has(at.labels.get(party) ?? "")) throw FAIL.onlyAddedParty();
      await r.rest(() => participant(at, party).remove());
      return {};
    },

    pauseRecording: (r) => setRecording(r, "paused"),
    resumeRecording: (r) => setRecording(r, "in-progress"),

    /**
     * A supervisor's session on the agent leg `target`: after the checks, a
     * participant dialling the supervisor's own Client (`client:<identity>?opencti=monitor`,
     * the query reaching the Voice SDK as custom parameters; the identity
     * matched CLIENT_IDENTITY in identify, so it cannot split that URL),
     * labelled `supervisor:<target>:<8 hex>`, in `mode` → `{ callSid: <the supervisor's leg>, mode }`.
     */
    async monitor(r) {
      const mode = monitorMode(r.body);
      const target = text(r.body, "target");
      if (!CALL_SID.test(target)) throw FAIL.unknownTarget();
      const supervisor = r.identity ?? fail(FAIL.supervisorIdentity());
      const watched = await r.rest(() => client.calls(target).fetch()).catch((e: unknown) => {
        throw e instanceof ContractError && e.code === "INVALID_STATE" ? FAIL.unknownTarget() : e;
      });
      const agent = clientOf(watched) ?? fail(FAIL.unknownTarget());
      await authorize(supervisor, agent, target, mode);
      const at = await locate(r, target, false).catch((e: unknown) => {
        throw e instanceof ContractError && e.status !== 504 && e.status < 500 ? FAIL.unknownTarget() : e;
      });
      const added = await r.rest(() =>
        client.conferences(at.conferenceSid).participants.create({
          from: options.callerId,
          to: `client:${supervisor}?opencti=monitor`,
          label: supervisorLabel(at.agentCallSid),
          endConferenceOnExit: false,
          beep: "false",
          ...modeSettings(mode, at.agentCallSid),
        }),
      );
      return { callSid: added.callSid, mode };
    },

    /**
     * A session's new mode: the supervisor's own leg, re-authorized for the
     * mode against the agent leg recorded in its label at the start (which
     * must still be that conference's owning agent leg, else 409), its
     * participant updated.
     */
    async setMonitorMode(r) {
      const mode = monitorMode(r.body);
      const leg = await supervisorLeg(r);
      const watched = watchedBy(leg.label) ?? fail(FAIL.sessionWithoutAgent());
      const at = (await membersWith(r, leg.conferenceSid, watched)) ?? fail(FAIL.sessionWithoutAgent());
      const agent = clientOf(await r.rest(() => client.calls(watched).fetch())) ?? fail(FAIL.sessionWithoutAgent());
      await authorize(leg.supervisor, agent, watched, mode);
      await r.rest(() => participant(at, leg.callSid).update(modeSettings(mode, watched)));
      return { mode };
    },

    /** Leaving: the caller's own supervisor participant removed (Twilio hangs its leg up), whoever else is still there. */
    async stopMonitor(r) {
      const leg = await supervisorLeg(r);
      await r.rest(() => client.conferences(leg.conferenceSid).participants(leg.callSid).remove());
      return {};
    },
  };

  /**
   * Pause or resume the recording of the agent's own call (the owning agent
   * leg only): Update a Recording, `calls(<recordedLeg>).recordings("Twilio.CURRENT").update({ status })`
   * (https://www.twilio.com/docs/voice/api/recording#update-a-recording-resource;
   * `Twilio.CURRENT` names the call's active recording, 404 when there is none).
   */
  async function setRecording(r: Request, status: "paused" | "in-progress"): Promise<Body> {
    const at = await locate(r, callSid(r.body, "callSid"));
    const recorded = options.recordedLeg === "agent" ? at.agentCallSid : at.customerCallSid;
    await r.rest(() => client.calls(recorded).recordings("Twilio.CURRENT").update({ status })).catch((e: unknown) => {
      throw e instanceof ContractError && e.code === "INVALID_STATE" ? FAIL.noRecording() : e;
    });
    return { recording: status === "paused" ? "paused" : "active" };
  }

  /** Default deny: only what authorizeSupervisor allows, and never one's own call. */
  async function authorize(supervisor: string, agent: string, agentCallSid: string, mode: MonitorMode): Promise<void> {
    if (agent === supervisor) throw FAIL.notAllowedToMonitor();
    if (!options.authorizeSupervisor || (await options.authorizeSupervisor({ supervisor, agent, agentCallSid, mode })) !== true) throw FAIL.notAllowedToMonitor();
  }

  /**
   * `callSid` must be the identity's own supervisor leg (ownership as for an
   * agent's leg: Twilio rang `client:<identity>`), a supervisor participant
   * (403 when it is another participant) of an in-progress conference (409
   * when none): its conference and label.
   */
  async function supervisorLeg(r: Request): Promise<{ callSid: string; supervisor: string; conferenceSid: string; label: string }> {
    const sid = callSid(r.body, "callSid");
    const supervisor = r.identity ?? fail(FAIL.supervisorIdentity());
    await checkOwnership(r, sid);
    const known = conferenceOf.get(sid);
    const candidates = known ? [known] : (await r.rest(() => client.conferences.list({ status: "in-progress", limit: maxScan }))).slice(0, maxScan).map((c) => c.sid);
    for (const conferenceSid of candidates) {
      if (!CONFERENCE_SID.test(conferenceSid)) continue;
      const participants = await r.rest(() => client.conferences(conferenceSid).participants.list({ limit: 250 }));
      const self = participants.find((p) => p.callSid === sid);
      if (!self) continue;
      if (!isSupervisor(labelOf(self))) throw FAIL.notSupervisorLeg();
      return { callSid: sid, supervisor, conferenceSid, label: labelOf(self) };
    }
    throw FAIL.noConference();
  }

  // ---- Twilio's callbacks (signed, form-encoded) ----

  /** The callback's form parameters, when Twilio signed exactly this URL and these parameters with the auth token. */
  function verifiedParams(req: IncomingMessage, raw: string, route: string): Record<string, string> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const params = Object.fromEntries(new URLSearchParams(raw));
    const signature = req.headers["x-twilio-signature"];
    if (typeof signature !== "string" || !twilio.validateRequest(options.authToken, signature, `${publicUrl}/${route}${url.search}`, params)) throw FAIL.signature();
    return params;
  }

  /** A dialled party's call status: tell the agent's browser through a user-defined message on its call. */
  async function onPartyStatus(req: IncomingMessage, raw: string, rest: Rest): Promise<void> {
    const params = verifiedParams(req, raw, "status");
    const agentCallSid = new URL(req.url ?? "/", "http://localhost").searchParams.get("agentCallSid") ?? "";
    if (!CALL_SID.test(agentCallSid) || !CALL_SID.test(params.CallSid ?? "") || !/^[a-z-]{1,20}$/.test(params.CallStatus ?? "")) throw FAIL.badCallback();
    const content = JSON.stringify({ opencti: "party", callSid: params.CallSid, status: params.CallStatus });
    await rest(() => client.calls(agentCallSid).userDefinedMessages.create({ content }));
  }

  /**
   * `<Conference statusCallback="<publicUrl>/conference-status" statusCallbackEvent="start end join leave">`:
   * keeps CallSid → conference; when a participant leaves, the supervisors
   * watching that leg (their label names it) are removed too, so no session
   * outlives the agent's call (one participant list per leave, 404 ignored).
   */
  async function onConferenceStatus(req: IncomingMessage, raw: string, rest: Rest): Promise<void> {
    const params = verifiedParams(req, raw, "conference-status");
    const conference = params.ConferenceSid ?? "";
    const call = params.CallSid ?? "";
    if (!CONFERENCE_SID.test(conference)) throw FAIL.badCallback();
    conferenceCallbacksSince ??= Date.now();
    const event = params.StatusCallbackEvent;
    if (event === "participant-join" && CALL_SID.test(call)) remember(call, conference);
    if (event === "participant-join" || event === "participant-leave" || event === "conference-end") agents.changed(CALL_SID.test(call) ? call : undefined, conference);
    if (event === "conference-end") for (const [c, f] of conferenceOf) if (f === conference) conferenceOf.delete(c);
    if (event !== "participant-leave" || !CALL_SID.test(call)) return;
    // Only this conference's entry: a call moved elsewhere may have joined there first.
    if (conferenceOf.get(call) === conference) conferenceOf.delete(call);
    const participants = await rest(() => client.conferences(conference).participants.list({ limit: 250 })).catch((e: unknown) => {
      if (e instanceof ContractError && e.code === "INVALID_STATE") return []; // the conference ended
      throw e;
    });
    await removeAll(rest, conference, participants.filter((p) => watchedBy(labelOf(p)) === call).map((p) => p.callSid));
  }

  // ---- Voice AI: Twilio's callbacks → the agent's event stream ----

  /** A signed Voice AI callback's parameters, or 400 (reported: Twilio sent it, so the TwiML or Twilio's format is off). */
  function voiceAiParams<T>(req: IncomingMessage, raw: string, route: string, parse: (params: Record<string, string>) => T): T {
    const params = verifiedParams(req, raw, route);
    try {
      return parse(params);
    } catch (error) {
      if (!(error instanceof MalformedCallback)) throw error;
      report(new Error(`Twilio callback ${route}: ${error.message}`));
      throw FAIL.badCallback();
    }
  }

  /**
   * Publishes to the agent of `callSid` (nothing when it has none). When
   * `retry`, a failure (finding the agent or publishing) answers 5xx so that
   * Twilio retries (up to three times); otherwise it is reported and the
   * callback still answers 204.
   */
  async function publishToAgentOf(rest: Rest, callSid: string, retry: boolean, event: (agent: CallAgent) => AgentStreamEvent): Promise<void> {
    try {
      // What Twilio retries (finals, media changes) is checked against the conference's participants: a leave another instance heard counts.
      const agent = await agents.of(rest, callSid, retry);
      if (!agent) return;
      await stream!.publish(agent.identity, event(agent)).catch((error: unknown) => {
        report(error);
        // An event the stream refuses (INVALID_ARGUMENT) would be refused again: no retry.
        if (!retry || (error as { code?: unknown } | null)?.code === "INVALID_ARGUMENT") return;
        throw FAIL.streamUnavailable();
      });
    } catch (error) {
      if (retry) throw error;
      if (!(error instanceof ContractError)) report(error); // contract errors were reported where they arose (rest, publish)
    }
  }

  /**
   * Real-Time Transcription (`<Start><Transcription statusCallbackUrl="<publicUrl>/transcription">`,
   * https://www.twilio.com/docs/voice/twiml/transcription): each
   * transcription-content becomes a `transcript` for the agent of the call.
   * A final is retried by Twilio when it could not be delivered (the browser
   * drops a repeated final by its sequence); a partial is not (a later one
   * supersedes it, and a late retry would only flicker: it answers 204 even
   * when the deadline passes). transcription-error
   * goes to onError; started and stopped publish nothing.
   */
  async function onTranscription(req: IncomingMessage, raw: string, rest: Rest, deadline: Deadline): Promise<void> {
    const callback = voiceAiParams(req, raw, "transcription", parseTranscription);
    if (callback.event === "content" && !callback.final) deadline.onTimeout = { status: 204 };
    if (callback.event === "error") report(new Error(`Twilio Real-Time Transcription error on call ${callback.callSid}${callback.code ? ` (code ${callback.code})` : ""}`));
    if (callback.event !== "content") return;
    await publishToAgentOf(rest, callback.callSid, callback.final, (agent) => transcriptEvent(callback, agent.agentCallSid, agent.role));
  }

  /**
   * Media Streams (`<Start><Stream statusCallback="<publicUrl>/media-stream">`,
   * https://www.twilio.com/docs/voice/twiml/stream#statuscallback): a `media`
   * event for the agent of the call, the StreamSid on stream-started, null on
   * stream-stopped and stream-error (also reported). A state: retried by Twilio when it could not be delivered.
   */
  async function onMediaStream(req: IncomingMessage, raw: string, rest: Rest): Promise<void> {
    const callback = voiceAiParams(req, raw, "media-stream", parseMediaStream);
    if (callback.event === "error") report(new Error(`Twilio Media Stream ${callback.streamSid} error on call ${callback.callSid}: ${callback.error ?? ""}`));
    await publishToAgentOf(rest, callback.callSid, true, (agent) => ({ type: "media", callId: agent.agentCallSid, mediaStream: callback.event === "started" ? callback.streamSid : null }));
  }

  /** `POST <publicUrl>/stream-ticket`, `{}` → `{ ticket, expiresInMs }` for the authenticated agent (wire contract v1). */
  async function streamTicket(req: IncomingMessage): Promise<Body> {
    requireJson(req);
    checkOrigin(req);
    parseJsonBody(await readBody(req));
    const identity = (await identify(req)) ?? fail(FAIL.streamIdentity());
    const { ticket, expiresInMs } = await stream!.issueTicket(identity);
    return { ticket, expiresInMs };
  }

  // ---- routing ----

  async function handle(req: IncomingMessage, expired: () => boolean, deadline: Deadline): Promise<Reply> {
    const rest: Rest = async (call) => {
      if (expired()) throw FAIL.timeout();
      try {
        return await call();
      } catch (error) {
        const mapped = fromTwilio(error);
        if (mapped.status >= 500) report(error);
        throw mapped;
      }
    };
    const name = routeOf(req);
    if (!stream && STREAM_ROUTES.has(name)) throw FAIL.unknownOperation();
    if (req.method !== "POST") throw FAIL.postOnly();
    if (name === "stream-ticket") return { status: 200, body: await streamTicket(req) };
    if (name === "transcription") {
      await onTranscription(req, await readBody(req), rest, deadline);
      return { status: 204 };
    }
    if (name === "media-stream") {
      await onMediaStream(req, await readBody(req), rest);
      return { status: 204 };
    }
    if (name === "status") {
      await onPartyStatus(req, await readBody(req), rest);
      return { status: 204 };
    }
    if (name === "conference-status") {
      await onConferenceStatus(req, await readBody(req), rest);
      return { status: 204 };
    }
    if (!isOperation(name)) throw FAIL.unknownOperation();
    requireJson(req);
    checkOrigin(req);
    const raw = await readBody(req);
    const identity = await identify(req);
    return { status: 200, body: await operations[name]({ body: parseJsonBody(raw), identity, rest }) };
  }

  /** `GET <publicUrl>/events?ticket=…`: the agent stream's own (long-lived, so outside the request deadline). */
  async function events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await stream!.handleEvents(req, res);
    } catch (error) {
      report(error);
      if (!res.headersSent) {
        const e = FAIL.internal();
        res.writeHead(e.status, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
      } else res.end();
    }
  }

  return async (req, res) => {
    if (stream && req.method === "GET" && routeOf(req) === "events") return events(req, res);
    let reply: Reply;
    const deadline: Deadline = {};
    try {
      reply = await withDeadline(timeoutMs, (expired) => handle(req, expired, deadline));
    } catch (error) {
      if (!(error instanceof ContractError)) report(error); // a bug or a throwing authenticate: details to the operator only
      else if (error.code === "REQUEST_TIMEOUT") report(new Error(`call-control request ${req.url ?? ""} timed out after ${timeoutMs} ms`));
      const e = error instanceof ContractError ? error : FAIL.internal();
      reply = e.code === "REQUEST_TIMEOUT" && deadline.onTimeout ? deadline.onTimeout : { status: e.status, body: { error: { code: e.code, message: e.message } } };
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(reply.body));
  };
}
