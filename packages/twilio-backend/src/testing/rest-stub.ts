/**
 * A local stub of the slice of Twilio's REST API the reference backend uses
 * (Conferences, Conference Participants, Call user-defined messages), on
 * 127.0.0.1, so the official `twilio` library can be tested without the real
 * API. It keeps conference state, posts signed status callbacks like Twilio,
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
}

export interface StubConference {
  sid: string;
  friendlyName: string;
  status: "init" | "in-progress" | "completed";
  participants: Map<string, StubParticipant>;
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
}

export const STUB_ACCOUNT_SID = "AC" + "0".repeat(32);
export const STUB_AUTH_TOKEN = "stub-auth-token";

const sid = (prefix: string): string => prefix + randomBytes(16).toString("hex");

export class TwilioRestStub extends EventEmitter<TwilioRestStubEvents> {
  readonly conferences = new Map<string, StubConference>();
  readonly requests: StubRequest[] = [];
  /** Answer the next request of this kind never (to test timeouts): "hold" matches a participant update with Hold. */
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

  /** A customer call already bridged to the agent's client leg in a conference (what the integrator's TwiML sets up). */
  addConference(call: { customerCallSid: string; customerNumber: string; agentCallSid: string }): StubConference {
    const conference: StubConference = { sid: sid("CF"), friendlyName: `opencti-${call.customerCallSid}`, status: "in-progress", participants: new Map() };
    conference.participants.set(call.customerCallSid, { callSid: call.customerCallSid, label: "customer", hold: false, muted: false, status: "connected", to: call.customerNumber, endConferenceOnExit: false });
    conference.participants.set(call.agentCallSid, { callSid: call.agentCallSid, label: "agent", hold: false, muted: false, status: "connected", endConferenceOnExit: false });
    this.conferences.set(conference.sid, conference);
    return conference;
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
    await this.callback(found.participant, "completed");
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Posts a call status callback signed like Twilio (X-Twilio-Signature with the auth token). */
  private async callback(participant: StubParticipant, status: string): Promise<void> {
    if (!participant.statusCallback) return;
    const params = { AccountSid: STUB_ACCOUNT_SID, CallSid: participant.callSid, CallStatus: status, To: participant.to ?? "" };
    const signature = twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, participant.statusCallback, params);
    await fetch(participant.statusCallback, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: new URLSearchParams(params).toString(),
    }).then((r) => r.arrayBuffer());
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
      coaching: false,
      call_sid_to_coach: null,
      date_created: new Date().toUTCString(),
      date_updated: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Conferences/${conference.sid}/Participants/${p.callSid}.json`,
    };
  }

  private conferenceJson(c: StubConference): Record<string, unknown> {
    return { sid: c.sid, account_sid: STUB_ACCOUNT_SID, friendly_name: c.friendlyName, status: c.status, region: "us1", date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${STUB_ACCOUNT_SID}/Conferences/${c.sid}.json` };
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
        const participant: StubParticipant = {
          callSid: sid("CA"),
          label: form.Label ?? "",
          hold: false,
          muted: false,
          status: "queued",
          to: form.To,
          endConferenceOnExit: form.EndConferenceOnExit === "true",
          ...(form.StatusCallback ? { statusCallback: form.StatusCallback } : {}),
        };
        conference.participants.set(participant.callSid, participant);
        return send(201, this.participantJson(conference, participant));
      }
    }
    if ((m = path.match(/^\/Conferences\/(CF\w+)\/Participants\/(CA\w+)\.json$/))) {
      const conference = this.conferences.get(m[1]!);
      const participant = conference?.participants.get(m[2]!);
      if (!conference || !participant) return notFound();
      if (method === "POST") {
        if (form.Hold !== undefined && this.stalled.delete("hold")) return; // never answers
        if (form.Hold !== undefined) participant.hold = form.Hold === "true";
        if (form.Muted !== undefined) participant.muted = form.Muted === "true";
        return send(200, this.participantJson(conference, participant));
      }
      if (method === "DELETE") {
        conference.participants.delete(participant.callSid);
        participant.status = "complete";
        this.emit("participantRemoved", conference, participant);
        if (conference.participants.size === 0) conference.status = "completed";
        res.writeHead(204);
        return void res.end();
      }
    }
    if (method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/UserDefinedMessages\.json$/))) {
      this.emit("userDefinedMessage", m[1]!, form.Content ?? "");
      return send(201, { account_sid: STUB_ACCOUNT_SID, call_sid: m[1], sid: sid("KX"), date_created: new Date().toUTCString() });
    }
    return notFound();
  }
}
