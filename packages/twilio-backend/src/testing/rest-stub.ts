/**
 * A local stub of the slice of Twilio's REST API the reference backend uses
 * (Calls, Conferences, Conference Participants, Call Recordings, Call
 * user-defined messages), on
 * 127.0.0.1, so the official `twilio` library can be tested without the real
 * API. It keeps call and conference state, posts signed call and conference
 * status callbacks like Twilio, mints access tokens with the official library,
 * and tells its listeners when the backend changes a call (so a signalling
 * emulator can reflect it: a removed agent leg hangs up, a message reaches
 * the browser).
 */
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import twilio from "twilio";

export interface StubParticipant {
  callSid: string;
  label: string;
  hold: boolean;
  muted: boolean;
  /** Twilio participant status. */
  status: "queued" | "connecting" | "ringing" | "connected" | "complete" | "failed";
  to?: string;
  statusCallback?: string;
  endConferenceOnExit: boolean;
  /** Coaching `callSidToCoach`: only that participant hears this one (Twilio's `coaching`, `call_sid_to_coach`; default false). */
  coaching?: boolean;
  callSidToCoach?: string;
}

/**
 * A Call Recording (https://www.twilio.com/docs/voice/api/recording): its
 * status is `in-progress`, `paused` or `stopped` while the call lasts;
 * `Twilio.CURRENT` in the path names the call's one active recording.
 */
export interface StubRecording {
  sid: string;
  callSid: string;
  status: "in-progress" | "paused" | "stopped";
}

export interface StubConference {
  sid: string;
  friendlyName: string;
  status: "init" | "in-progress" | "completed";
  participants: Map<string, StubParticipant>;
  /** Where Twilio posts this conference's participant-join/leave and conference-end events (the <Conference statusCallback>). */
  statusCallback?: string;
}

/** A Call resource (GET /Calls/{sid}.json): who the leg is from and to. */
export interface StubCall {
  sid: string;
  from: string;
  to: string;
  status: "queued" | "ringing" | "in-progress" | "completed";
  /**
   * Twilio's `direction`: `inbound` for a call that came into Twilio (a
   * customer's, or one a browser placed, `from` its `client:`), `outbound-api`
   * for one the REST API created, `outbound-dial` for a leg a `<Dial>` rang.
   * Default: `outbound-dial` when `to` is a `client:`, else `inbound`.
   */
  direction?: "inbound" | "outbound-api" | "outbound-dial";
  /** The parent call of a `<Dial>` leg (e.g. the browser's call that rang it). */
  parentCallSid?: string;
  /** Twilio's `start_time`: when the call started (default: when the stub learnt of it). */
  startTime?: Date;
}

export interface StubRequest {
  method: string;
  path: string;
  form: Record<string, string>;
}

export interface TwilioRestStubEvents {
  /** A participant left the conference by REST (DELETE): its call leg ends. */
  participantRemoved: [conference: StubConference, participant: StubParticipant];
  /** A user-defined message for a call (POST …/Calls/{sid}/UserDefinedMessages). */
  userDefinedMessage: [callSid: string, content: string];
  /**
   * A participant the backend dialled (POST …/Participants): Twilio now rings
   * `to`. For a `client:<identity>?k=v` destination `client` is the identity
   * and `parameters` the query (the custom parameters Twilio hands the
   * Voice SDK's incoming call); a signalling emulator rings that browser.
   */
  participantCreated: [conference: StubConference, participant: StubParticipant, client: { identity: string; parameters: Record<string, string> } | undefined];
}

export const STUB_ACCOUNT_SID = "AC" + "0".repeat(32);
export const STUB_AUTH_TOKEN = "stub-auth-token";
/** The API key the stub's access tokens are signed with (what the backend's authenticator verifies). */
export const STUB_API_KEY_SID = "SK" + "0".repeat(32);
export const STUB_API_KEY_SECRET = "stub-api-key-secret";

/**
 * A Twilio Access Token with a Voice grant for `identity`, minted by the
 * official library (what an integrator's token endpoint hands the browser),
 * signed with the stub's API key.
 */
export function stubAccessToken(identity: string, options: { ttl?: number } = {}): string {
  const { AccessToken } = twilio.jwt;
  const token = new AccessToken(STUB_ACCOUNT_SID, STUB_API_KEY_SID, STUB_API_KEY_SECRET, { identity, ttl: options.ttl ?? 3600 });
  token.addGrant(new AccessToken.VoiceGrant({ incomingAllow: true }));
  return token.toJwt();
}

const sid = (prefix: string): string => prefix + randomBytes(16).toString("hex");

export class TwilioRestStub extends EventEmitter<TwilioRestStubEvents> {
  readonly conferences = new Map<string, StubConference>();
  /** Call resources by CallSid: the legs addConference and participant creation made, plus addCall. */
  readonly calls = new Map<string, StubCall>();
  readonly requests: StubRequest[] = [];
  /** Recordings by RecordingSid (startRecording, addConference `recorded`). */
  readonly recordings = new Map<string, StubRecording>();
  /** Conference status callbacks still being delivered (see settled()). */
  private readonly deliveries = new Set<Promise<void>>();
  /** Answer the next request of this kind never (to test timeouts): "hold" matches a participant update with Hold, "call" a Call fetch. */
  readonly stalled = new Set<string>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    super();
  }

  static async start(): Promise<TwilioRestStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const stub = new TwilioRestStub(server, `http://127.0.0.1:${port}`);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void stub.handle(req, res));
    return stub;
  }

  /** An official `twilio` client whose every request goes to this stub instead of api.twilio.com. */
  client(): twilio.Twilio {
    const base = this.url;
    const httpClient = new twilio.RequestClient();
    const send = httpClient.request.bind(httpClient);
    // Same library HTTP client, but every request goes to the stub.
    httpClient.request = ((opts: Parameters<typeof send>[0]) => send({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, base) })) as typeof httpClient.request;
    return twilio(STUB_ACCOUNT_SID, STUB_AUTH_TOKEN, { httpClient });
  }

  /**
   * A customer call already bridged to the agent's client leg in a conference
   * (what the integrator's TwiML sets up). The agent's leg is a Call to
   * `client:<agentIdentity>` (default "agent"), its participant labelled
   * "agent"; the customer's participant is labelled "customer". With `statusCallback`, the
   * conference posts signed participant events there, like
   * `<Conference statusCallback>` (await `settled()` for their delivery).
   */
  addConference(call: { customerCallSid: string; customerNumber: string; agentCallSid: string; agentIdentity?: string; statusCallback?: string; recorded?: boolean }): StubConference {
    const conference: StubConference = { sid: sid("CF"), friendlyName: `opencti-${call.customerCallSid}`, status: "in-progress", participants: new Map(), ...(call.statusCallback ? { statusCallback: call.statusCallback } : {}) };
    conference.participants.set(call.customerCallSid, { callSid: call.customerCallSid, label: "customer", hold: false, muted: false, status: "connected", to: call.customerNumber, endConferenceOnExit: false, coaching: false });
    conference.participants.set(call.agentCallSid, { callSid: call.agentCallSid, label: "agent", hold: false, muted: false, status: "connected", endConferenceOnExit: false, coaching: false });
    this.calls.set(call.customerCallSid, { sid: call.customerCallSid, from: call.customerNumber, to: "+15550009999", status: "in-progress", direction: "inbound", startTime: new Date() });
    this.calls.set(call.agentCallSid, { sid: call.agentCallSid, from: call.customerNumber, to: `client:${call.agentIdentity ?? "agent"}`, status: "in-progress", direction: "outbound-api", startTime: new Date() });
    this.conferences.set(conference.sid, conference);
    if (call.recorded) this.startRecording(call.customerCallSid);
    this.conferenceEvent(conference, "participant-join", call.customerCallSid);
    this.conferenceEvent(conference, "participant-join", call.agentCallSid);
    return conference;
  }

  /** A recording of the call starts (what `<Dial record>`, `<Start><Recording>` or Create Recording do): `in-progress`. */
  startRecording(callSid: string): StubRecording {
    const recording: StubRecording = { sid: sid("RE"), callSid, status: "in-progress" };
    this.recordings.set(recording.sid, recording);
    return recording;
  }

  /** The call's active recording (what `Twilio.CURRENT` names): in progress or paused. */
  currentRecording(callSid: string): StubRecording | undefined {
    return [...this.recordings.values()].find((r) => r.callSid === callSid && r.status !== "stopped");
  }

  /** A Call resource of its own (e.g. a browser-originated leg, from `client:<identity>`). */
  addCall(call: StubCall): StubCall {
    call.startTime ??= new Date();
    this.calls.set(call.sid, call);
    return call;
  }

  /** Resolves once every conference status callback posted so far was answered. */
  async settled(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  findParticipant(callSid: string): { conference: StubConference; participant: StubParticipant } | undefined {
    for (const conference of this.conferences.values()) {
      const participant = conference.participants.get(callSid);
      if (participant) return { conference, participant };
    }
    return undefined;
  }

  /** The far end of a dialled participant answers (Twilio then posts its status callback). */
  async answer(callSid: string): Promise<void> {
    const found = this.findParticipant(callSid);
    if (!found) throw new Error(`stub: no participant ${callSid}`);
    found.participant.status = "connected";
    await this.callback(found.participant, "in-progress");
  }

  /** The far end of a participant hangs up. */
  async hangup(callSid: string): Promise<void> {
    const found = this.findParticipant(callSid);
    if (!found) return;
    found.conference.participants.delete(callSid);
    found.participant.status = "complete";
    this.conferenceEvent(found.conference, "participant-leave", callSid);
    await this.callback(found.participant, "completed");
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Posts a conference status callback (participant-join/-leave, conference-end) signed like Twilio, when the conference has one. */
  private conferenceEvent(conference: StubConference, event: "participant-join" | "participant-leave" | "conference-end", callSid?: string): void {
    if (!conference.statusCallback) return;
    const params: Record<string, string> = { AccountSid: STUB_ACCOUNT_SID, ConferenceSid: conference.sid, FriendlyName: conference.friendlyName, StatusCallbackEvent: event, ...(callSid ? { CallSid: callSid } : {}) };
    const delivery = this.post(conference.statusCallback, params)
      .catch(() => {})
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  /**
   * Posts a callback like Twilio does: form-encoded, X-Twilio-Signature over
   * `url` and `params` with the stub's auth token (`twilio.getExpectedTwilioSignature`).
   * E.g. a Real-Time Transcription or Media Streams status callback. Resolves
   * to the answer's status.
   */
  async postSigned(url: string, params: Record<string, string>): Promise<number> {
    const signature = twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, url, params);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  private async post(url: string, params: Record<string, string>): Promise<void> {
    await this.postSigned(url, params);
  }

  /** Posts a call status callback signed like Twilio (X-Twilio-Signature with the auth token). */
  private async callback(participant: StubParticipant, status: string): Promise<void> {
    if (!participant.statusCallback) return;
    await this.post(participant.statusCallback, { AccountSid: STUB_ACCOUNT_SID, CallSid: participant.callSid, CallStatus: status, To: participant.to ?? "" });
  }

  private callJson(c: StubCall): Record<string, unknown> {
    const direction = c.direction ?? (c.to.startsWith("client:") ? "outbound-dial" : "inbound");
    return { sid: c.sid, account_sid: STUB_ACCOUNT_SID, parent_call_sid: c.parentCallSid ?? null, from: c.from, to: c.to, status: c.status, direction, start_time: c.startTime?.toUTCString() ?? null, date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Calls/${c.sid}.json` };
  }

  private participantJson(conference: StubConference, p: StubParticipant): Record<string, unknown> {
    return {
      account_sid: STUB_ACCOUNT_SID,
      call_sid: p.callSid,
      conference_sid: conference.sid,
      label: p.label,
      hold: p.hold,
      muted: p.muted,
      status: p.status,
      end_conference_on_exit: p.endConferenceOnExit,
      start_conference_on_enter: true,
      coaching: p.coaching ?? false,
      call_sid_to_coach: p.callSidToCoach ?? null,
      date_created: new Date().toUTCString(),
      date_updated: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Conferences/${conference.sid}/Participants/${p.callSid}.json`,
    };
  }

  /** A Recording resource as Twilio returns it (https://www.twilio.com/docs/voice/api/recording#recording-properties). */
  private recordingJson(r: StubRecording): Record<string, unknown> {
    return {
      account_sid: STUB_ACCOUNT_SID,
      api_version: "2010-04-01",
      call_sid: r.callSid,
      conference_sid: null,
      sid: r.sid,
      status: r.status,
      channels: 1,
      source: "StartCallRecordingAPI",
      error_code: null,
      duration: "-1",
      price: null,
      start_time: new Date().toUTCString(),
      date_created: new Date().toUTCString(),
      date_updated: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Calls/${r.callSid}/Recordings/${r.sid}.json`,
    };
  }

  private conferenceJson(c: StubConference): Record<string, unknown> {
    return { sid: c.sid, account_sid: STUB_ACCOUNT_SID, friendly_name: c.friendlyName, status: c.status, region: "us1", date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Conferences/${c.sid}.json` };
  }

  /**
   * A participant's coaching after a create or update (Twilio: `Coaching`
   * defaults to false unless `CallSidToCoach` is given; coaching needs a
   * `CallSidToCoach` that is in the conference), or why Twilio refuses it.
   */
  private coachingOf(conference: StubConference, form: Record<string, string>, now: StubParticipant | undefined): { coaching: boolean; callSidToCoach?: string } | string {
    const toCoach = form.CallSidToCoach ?? (form.Coaching === "false" ? undefined : now?.callSidToCoach);
    const coaching = form.Coaching !== undefined ? form.Coaching === "true" : form.CallSidToCoach !== undefined || (now?.coaching ?? false);
    if (!coaching) return { coaching: false };
    if (!toCoach || !conference.participants.has(toCoach)) return "CallSidToCoach must be a participant of the conference";
    return { coaching: true, callSidToCoach: toCoach };
  }

  private page(key: string, items: unknown[], uri: string): Record<string, unknown> {
    return { [key]: items, first_page_uri: uri, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 50, start: 0, end: items.length, uri };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.url);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url.pathname, form });
    const send = (status: number, body?: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const notFound = (): void => send(404, { code: 20404, message: "The requested resource was not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${STUB_ACCOUNT_SID}:${STUB_AUTH_TOKEN}`).toString("base64")}`) {
      return send(401, { code: 20003, message: "Authenticate", status: 401 });
    }
    const prefix = `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}`;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
    let m: RegExpMatchArray | null;

    if (method === "GET" && path === "/Conferences.json") {
      const status = url.searchParams.get("Status");
      const list = [...this.conferences.values()].filter((c) => !status || c.status === status);
      return send(200, this.page("conferences", list.map((c) => this.conferenceJson(c)), url.pathname));
    }
    if ((m = path.match(/^\/Conferences\/(CF\w+)\/Participants\.json$/))) {
      const conference = this.conferences.get(m[1]!);
      if (!conference) return notFound();
      if (method === "GET") return send(200, this.page("participants", [...conference.participants.values()].map((p) => this.participantJson(conference, p)), url.pathname));
      if (method === "POST") {
        if (!form.To || !form.From) return send(400, { code: 21604, message: "A 'To' and 'From' are required", status: 400 });
        const coaching = this.coachingOf(conference, form, undefined);
        if (typeof coaching === "string") return send(400, { code: 21220, message: coaching, status: 400 });
        // `client:<identity>?k=v`: Twilio rings that Client with the query as custom parameters.
        const client = /^client:([^?]+)(?:\?(.*))?$/.exec(form.To);
        const identity = client ? decodeURIComponent(client[1]!) : undefined;
        const participant: StubParticipant = {
          callSid: sid("CA"),
          label: form.Label ?? "",
          hold: false,
          muted: form.Muted === "true",
          status: "queued",
          to: form.To,
          endConferenceOnExit: form.EndConferenceOnExit === "true",
          ...(form.StatusCallback ? { statusCallback: form.StatusCallback } : {}),
          ...coaching,
        };
        conference.participants.set(participant.callSid, participant);
        this.calls.set(participant.callSid, { sid: participant.callSid, from: form.From, to: identity === undefined ? form.To : `client:${identity}`, status: "queued", direction: "outbound-api", startTime: new Date() });
        this.conferenceEvent(conference, "participant-join", participant.callSid);
        this.emit("participantCreated", conference, participant, identity === undefined ? undefined : { identity, parameters: Object.fromEntries(new URLSearchParams(client![2] ?? "")) });
        return send(201, this.participantJson(conference, participant));
      }
    }
    if ((m = path.match(/^\/Conferences\/(CF\w+)\/Participants\/(CA\w+)\.json$/))) {
      const conference = this.conferences.get(m[1]!);
      const participant = conference?.participants.get(m[2]!);
      if (!conference || !participant) return notFound();
      if (method === "POST") {
        if (form.Hold !== undefined && this.stalled.delete("hold")) return; // never answers
        const coaching = this.coachingOf(conference, form, participant);
        if (typeof coaching === "string") return send(400, { code: 21220, message: coaching, status: 400 });
        if (form.Hold !== undefined) participant.hold = form.Hold === "true";
        if (form.Muted !== undefined) participant.muted = form.Muted === "true";
        participant.coaching = coaching.coaching;
        if (coaching.callSidToCoach === undefined) delete participant.callSidToCoach;
        else participant.callSidToCoach = coaching.callSidToCoach;
        return send(200, this.participantJson(conference, participant));
      }
      if (method === "DELETE") {
        conference.participants.delete(participant.callSid);
        participant.status = "complete";
        this.emit("participantRemoved", conference, participant);
        this.conferenceEvent(conference, "participant-leave", participant.callSid);
        if (conference.participants.size === 0) {
          conference.status = "completed";
          this.conferenceEvent(conference, "conference-end");
        }
        res.writeHead(204);
        return void res.end();
      }
    }
    if (method === "GET" && (m = path.match(/^\/Calls\/(CA\w+)\.json$/))) {
      const call = this.calls.get(m[1]!);
      if (call && this.stalled.delete("call")) return; // never answers
      return call ? send(200, this.callJson(call)) : notFound();
    }
    // Update a Recording: POST /Calls/{CallSid}/Recordings/{Sid|Twilio.CURRENT}.json with Status
    // (https://www.twilio.com/docs/voice/api/recording#update-a-recording-resource): paused, in-progress, stopped;
    // 404 when the call has no such recording (no active one for Twilio.CURRENT).
    if (method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\/(RE\w+|Twilio\.CURRENT)\.json$/))) {
      const recording = m[2] === "Twilio.CURRENT" ? this.currentRecording(m[1]!) : this.recordings.get(m[2]!);
      if (!recording || recording.callSid !== m[1] || recording.status === "stopped") return notFound();
      if (form.Status !== "paused" && form.Status !== "in-progress" && form.Status !== "stopped") return send(400, { code: 20001, message: "Invalid Status", status: 400 });
      recording.status = form.Status;
      return send(200, this.recordingJson(recording));
    }
    if (method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/UserDefinedMessages\.json$/))) {
      this.emit("userDefinedMessage", m[1]!, form.Content ?? "");
      return send(201, { account_sid: STUB_ACCOUNT_SID, call_sid: m[1], sid: sid("KX"), date_created: new Date().toUTCString() });
    }
    return notFound();
  }
}
