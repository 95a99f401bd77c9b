/**
 * The reference call-control backend for @opencti/twilio: a Node `http`
 * request handler implementing the connector's JSON contract with Twilio
 * Conference participants through the official `twilio` library.
 *
 * Assumes the integrator's TwiML bridges each customer and the agent's
 * client leg in a `<Conference>`, the customer's participant labelled
 * "customer" with endConferenceOnExit=false.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import twilio from "twilio";

export interface CallControlHandlerOptions {
  /** An official twilio client (`twilio(accountSid, authToken)`). */
  client: twilio.Twilio;
  /** This handler's public base URL, for Twilio's status callbacks (`<publicUrl>/status`). */
  publicUrl: string;
  /** The caller ID for legs the backend dials (consult and transfer targets). */
  callerId: string;
  /** Hold music (TwiML or audio URL); Twilio's default when omitted. */
  holdUrl?: string;
  /** The account's auth token: when given, status callbacks must carry a valid X-Twilio-Signature. */
  authToken?: string;
  /** Checks each browser request (session cookie, bearer token…); allow all when omitted. */
  authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /** Where to report failures; never receives secrets. */
  onError?: (error: unknown) => void;
}

type Body = Record<string, unknown>;
type ErrorCode = "INVALID_ARGUMENT" | "INVALID_STATE" | "INVALID_DESTINATION" | "AUTH_FAILED" | "VENDOR_ERROR";

class ContractError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Located {
  conferenceSid: string;
  agent: { callSid: string };
  customer: { callSid: string };
}

const OPERATIONS = ["hold", "resume", "blindTransfer", "consult", "completeTransfer", "conference", "dropParty"] as const;
type Operation = (typeof OPERATIONS)[number];

const str = (body: Body, key: string): string => {
  const value = body[key];
  if (typeof value !== "string" || value === "") throw new ContractError(400, "INVALID_ARGUMENT", `"${key}" is required`);
  return value;
};
const destination = (body: Body): string => {
  const to = str(body, "to");
  if (!/^(\+?[0-9]{3,15}|client:[\w.@-]+|sip:[^\s]+)$/.test(to)) throw new ContractError(400, "INVALID_DESTINATION", "Not a number, client or SIP address Twilio can dial");
  return to;
};

/** Twilio REST failures → contract errors. */
function fromTwilio(error: unknown): ContractError {
  if (error instanceof ContractError) return error;
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  if (e.code === 21211 || e.code === 21217 || e.code === 13223) return new ContractError(400, "INVALID_DESTINATION", "Twilio cannot dial that destination");
  if (e.status === 404) return new ContractError(409, "INVALID_STATE", "The call is no longer in a conference");
  if (e.status === 401 || e.status === 403) return new ContractError(502, "AUTH_FAILED", "The backend's Twilio credentials were refused");
  return new ContractError(502, "VENDOR_ERROR", typeof e.message === "string" ? `Twilio: ${e.message}` : "Twilio request failed");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new ContractError(413, "INVALID_ARGUMENT", "Request too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function createCallControlHandler(options: CallControlHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { client } = options;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");

  /** The conference the agent's leg is in, with the customer's participant. */
  async function locate(agentCallSid: string): Promise<Located> {
    const conferences = await client.conferences.list({ status: "in-progress", limit: 200 });
    for (const conference of conferences) {
      const participants = await client.conferences(conference.sid).participants.list({ limit: 50 });
      if (!participants.some((p) => p.callSid === agentCallSid)) continue;
      const customer = participants.find((p) => p.label === "customer") ?? participants.find((p) => p.callSid !== agentCallSid && p.label !== "consult");
      if (!customer) throw new ContractError(409, "INVALID_STATE", "The conference has no customer");
      return { conferenceSid: conference.sid, agent: { callSid: agentCallSid }, customer: { callSid: customer.callSid } };
    }
    throw new ContractError(409, "INVALID_STATE", "The call is not in an active conference");
  }

  const participant = (at: Located, callSid: string) => client.conferences(at.conferenceSid).participants(callSid);
  const setHold = (at: Located, hold: boolean) => participant(at, at.customer.callSid).update(hold && options.holdUrl ? { hold, holdUrl: options.holdUrl } : { hold });
  const statusCallback = (agentCallSid: string): string => `${publicUrl}/status?agentCallSid=${encodeURIComponent(agentCallSid)}`;

  const operations: Record<Operation, (body: Body) => Promise<Body>> = {
    async hold(body) {
      await setHold(await locate(str(body, "callSid")), true);
      return {};
    },
    async resume(body) {
      await setHold(await locate(str(body, "callSid")), false);
      return {};
    },
    async blindTransfer(body) {
      const to = destination(body);
      const at = await locate(str(body, "callSid"));
      await client.conferences(at.conferenceSid).participants.create({ from: options.callerId, to, label: "transfer", endConferenceOnExit: false });
      await participant(at, at.agent.callSid).remove(); // Twilio hangs up the agent's leg
      return {};
    },
    async consult(body) {
      const to = destination(body);
      const agentCallSid = str(body, "callSid");
      const at = await locate(agentCallSid);
      await setHold(at, true);
      const added = await client.conferences(at.conferenceSid).participants.create({
        from: options.callerId,
        to,
        label: "consult",
        endConferenceOnExit: false,
        statusCallback: statusCallback(agentCallSid),
        statusCallbackEvent: ["ringing", "answered", "completed"],
      });
      return { callSid: added.callSid };
    },
    async completeTransfer(body) {
      str(body, "consultCallSid");
      const at = await locate(str(body, "callSid"));
      await setHold(at, false);
      await participant(at, at.agent.callSid).remove();
      return {};
    },
    async conference(body) {
      str(body, "consultCallSid");
      await setHold(await locate(str(body, "callSid")), false);
      return {};
    },
    async dropParty(body) {
      const at = await locate(str(body, "callSid"));
      const party = str(body, "partyCallSid");
      if (party === at.agent.callSid || party === at.customer.callSid) throw new ContractError(400, "INVALID_ARGUMENT", "Only an added party can be dropped");
      await participant(at, party).remove();
      return {};
    },
  };

  /** Twilio's status callback for a dialled party: tell the agent's browser through a user-defined message. */
  async function onStatus(req: IncomingMessage, raw: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const params = Object.fromEntries(new URLSearchParams(raw));
    if (options.authToken) {
      const signature = req.headers["x-twilio-signature"];
      const fullUrl = `${publicUrl}/status${url.search}`;
      if (typeof signature !== "string" || !twilio.validateRequest(options.authToken, signature, fullUrl, params)) throw new ContractError(403, "AUTH_FAILED", "Bad Twilio signature");
    }
    const agentCallSid = url.searchParams.get("agentCallSid");
    if (!agentCallSid || !params.CallSid || !params.CallStatus) throw new ContractError(400, "INVALID_ARGUMENT", "Incomplete status callback");
    const content = JSON.stringify({ opencti: "party", callSid: params.CallSid, status: params.CallStatus });
    await client.calls(agentCallSid).userDefinedMessages.create({ content });
  }

  return async (req, res) => {
    const reply = (status: number, body: Body): void => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method !== "POST") throw new ContractError(405, "INVALID_ARGUMENT", "POST only");
      const name = new URL(req.url ?? "/", "http://localhost").pathname.split("/").pop() ?? "";
      const raw = await readBody(req);
      if (name === "status") {
        await onStatus(req, raw);
        res.writeHead(204);
        res.end();
        return;
      }
      if (!(OPERATIONS as readonly string[]).includes(name)) throw new ContractError(404, "INVALID_ARGUMENT", `Unknown operation "${name}"`);
      if (options.authorize && !(await options.authorize(req))) throw new ContractError(401, "AUTH_FAILED", "Not authorized");
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ContractError(400, "INVALID_ARGUMENT", "The body is not JSON");
      }
      if (typeof body !== "object" || body === null) throw new ContractError(400, "INVALID_ARGUMENT", "The body must be a JSON object");
      reply(200, await operations[name as Operation](body as Body));
    } catch (error) {
      const e = fromTwilio(error);
      if (!(error instanceof ContractError)) options.onError?.(error);
      reply(e.status, { error: { code: e.code, message: e.message } });
    }
  };
}
