/**
 * A complete Node `http` handler around an AgentStream, for deployments
 * without a vendor backend to host it (SIP): the browser's POST
 * /stream-ticket and GET /events, and POST /voice-ai, where a media server's
 * transcription app (e.g. a FreeSWITCH module or an Asterisk ARI app)
 * delivers events. Routes match on the path's last segment, so the handler
 * can sit under any prefix. HTTP shapes: README "HTTP handler".
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AgentStreamError, invalid } from "./errors.js";
import { checkAgentId, checkEvent, frameOf, type AgentStreamEvent } from "./events.js";
import { corsHeaders, HttpError, originAllowed, sendError, sendJson } from "./http.js";
import { scrubText } from "./scrub.js";
import type { AgentStream } from "./stream.js";

export interface AgentStreamHandlerOptions {
  /** The stream to serve (from createAgentStream). */
  stream: Pick<AgentStream, "issueTicket" | "handleEvents" | "publish">;
  /**
   * The agent behind a browser's POST /stream-ticket (e.g. its SIP user,
   * from your session cookie or bearer token), or undefined to refuse (401).
   * 1 to 128 characters, no control characters. A throw answers 500 (told to onError).
   */
  authenticate: (req: IncomingMessage) => Promise<string | undefined> | string | undefined;
  /** The shared secret the media server sends as `Authorization: Bearer <ingestToken>` on POST /voice-ai; at least 16 characters. */
  ingestToken: string;
  /** Origins whose pages may POST /stream-ticket (exact match; CORS); pass the stream's allowedOrigins. Default none (same-origin pages and non-browsers only). */
  allowedOrigins?: readonly string[];
  /**
   * Deadline for one POST (body, authenticate and Redis included), ms → 504
   * REQUEST_TIMEOUT; a body still arriving then is cut off (`connection:
   * close`). An ingest batch stops at the deadline: its 504 says how many
   * events were published (`published`). Default 10 000.
   */
  requestTimeoutMs?: number;
  /** Where failures go (a throwing authenticate, a failed publish), scrubbed of bearer tokens. Must not throw. */
  onError?: (error: AgentStreamError) => void;
}

/** A request body's limit, bytes. */
const MAX_BODY = 64 * 1024;
/** Events in one POST /voice-ai. */
const MAX_BATCH = 100;

type Fields = Record<string, unknown>;
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const FAIL = {
  unknown: () => new HttpError(404, "INVALID_ARGUMENT", "Unknown operation"),
  method: (allow: string) => new HttpError(405, "INVALID_ARGUMENT", `${allow} only`, { allow }),
  origin: () => new HttpError(403, "AUTH_FAILED", "Origin not allowed"),
  unauthenticated: () => new HttpError(401, "AUTH_FAILED", "Not authenticated"),
  badIdentity: () => new HttpError(403, "AUTH_FAILED", "The authenticated identity is not a usable agent id"),
  ingestToken: () => new HttpError(401, "AUTH_FAILED", "A valid ingest token is required", { "www-authenticate": "Bearer" }),
  tooLarge: () => new HttpError(413, "INVALID_ARGUMENT", `The body is larger than ${MAX_BODY} bytes`, { connection: "close" }),
  notJsonType: () => new HttpError(415, "INVALID_ARGUMENT", "content-type must be application/json"),
  notJson: () => new HttpError(400, "INVALID_ARGUMENT", "The body is not a JSON object"),
  bad: (message: string) => new HttpError(400, "INVALID_ARGUMENT", message),
  unavailable: () => new HttpError(503, "VENDOR_ERROR", "The agent stream is unavailable"),
  /** `published`: on POST /voice-ai, how many of the events (from the first) went out before the deadline. */
  timeout: (published?: number) => new HttpError(504, "REQUEST_TIMEOUT", "The request did not complete in time", {}, published === undefined ? {} : { published }),
  internal: () => new HttpError(500, "VENDOR_ERROR", "The agent stream failed"),
};

/** application/json only: a cross-site form or beacon cannot send it without a CORS preflight. */
function requireJson(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw FAIL.notJsonType();
}

async function readJson(req: IncomingMessage, emptyIsObject: boolean): Promise<Fields> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) throw FAIL.tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw FAIL.tooLarge();
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw.trim() === "" && emptyIsObject) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw FAIL.notJson();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw FAIL.notJson();
  return body as Fields;
}

/** The field errors of the ingest body as 400s (the message names the field, never its value). */
function field<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof AgentStreamError && e.code === "INVALID_ARGUMENT") throw FAIL.bad(e.message);
    throw e;
  }
}

/** `{ agentId, event }` or `{ events: [{ agentId, event }, …] }`, every item checked before any is published. */
function ingestItems(body: Fields): { agentId: string; event: AgentStreamEvent }[] {
  const single = "agentId" in body || "event" in body;
  if (single === "events" in body) throw FAIL.bad('Give either "agentId" and "event", or "events"');
  const item = (v: unknown, path: string) =>
    field(() => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(`${path || "body"} must be an object`);
      const { agentId, event } = v as Fields;
      const at = path ? `${path}.` : "";
      const checked = checkEvent(event, `${at}event`);
      frameOf(checked, `${at}event`);
      return { agentId: checkAgentId(agentId, `${at}agentId`), event: checked };
    });
  if (single) return [item(body, "")];
  const { events } = body;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_BATCH) throw FAIL.bad(`"events" must be an array of 1 to ${MAX_BATCH} items`);
  return events.map((v: unknown, i) => item(v, `events[${i}]`));
}

/**
 * Makes the handler: POST `…/stream-ticket` (and its CORS preflight), GET
 * `…/events`, POST `…/voice-ai`; anything else 404. Throws AgentStreamError
 * INVALID_ARGUMENT without `authenticate` or with a short `ingestToken`.
 */
export function createAgentStreamHandler(options: AgentStreamHandlerOptions): Handler {
  if (typeof options.authenticate !== "function") throw invalid("createAgentStreamHandler: authenticate is required (who the agent behind a browser request is)");
  if (typeof options.ingestToken !== "string" || options.ingestToken.length < 16) throw invalid("createAgentStreamHandler: ingestToken must be at least 16 characters (e.g. `openssl rand -base64 32`)");
  const { stream } = options;
  const allowed = new Set(options.allowedOrigins ?? []);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  // Compared as digests: equal lengths for timingSafeEqual, nothing learnt from timing.
  const ingestDigest = createHash("sha256").update(options.ingestToken).digest();
  const secrets = [options.ingestToken];
  const report = (error: AgentStreamError): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing reporter must not change the answer.
    }
  };

  function ingestAllowed(req: IncomingMessage): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    return match !== null && timingSafeEqual(createHash("sha256").update(match[1]!).digest(), ingestDigest);
  }

  const cors = (req: IncomingMessage) => {
    const headers = corsHeaders(req, allowed);
    return headers["access-control-allow-origin"] ? { ...headers, "access-control-allow-credentials": "true" } : headers;
  };

  /** The CORS preflight of a cross-origin POST /stream-ticket. */
  function preflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return sendError(res, FAIL.origin(), { vary: "Origin" });
    res.writeHead(204, {
      ...cors(req),
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "authorization, content-type",
      "access-control-max-age": "600",
    });
    res.end();
  }

  async function streamTicket(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!originAllowed(req, allowed)) throw FAIL.origin();
    requireJson(req);
    await readJson(req, true);
    let agentId: string | undefined;
    try {
      agentId = await options.authenticate(req);
    } catch (e) {
      report(new AgentStreamError("INTERNAL", `authenticate failed: ${scrubText(e instanceof Error ? e.message : String(e), secrets)}`));
      throw FAIL.internal();
    }
    if (typeof agentId !== "string" || agentId === "") throw FAIL.unauthenticated();
    try {
      sendJson(res, 200, await stream.issueTicket(agentId), cors(req));
    } catch (e) {
      if (!(e instanceof AgentStreamError)) throw e;
      if (e.code === "INVALID_ARGUMENT") {
        report(new AgentStreamError("INVALID_ARGUMENT", `authenticate returned an unusable agent id: ${e.message}`));
        throw FAIL.badIdentity();
      }
      throw FAIL.unavailable(); // Redis: reported by the stream
    }
  }

  /** The ingest; `batch.published` counts what went out, for the 504 the deadline may answer (`deadline` aborted). */
  async function voiceAi(req: IncomingMessage, res: ServerResponse, deadline: AbortSignal, batch: { published: number }): Promise<void> {
    if (!ingestAllowed(req)) throw FAIL.ingestToken();
    requireJson(req);
    const items = ingestItems(await readJson(req, false));
    // One after the other: the order given is the order every browser sees.
    // Nothing after the deadline: the 504 is out, and a retry must not repeat more than it says.
    for (const { agentId, event } of items) {
      if (deadline.aborted) return;
      try {
        await stream.publish(agentId, event);
      } catch (e) {
        if (e instanceof AgentStreamError && e.code === "INVALID_ARGUMENT") throw FAIL.bad(e.message);
        if (e instanceof AgentStreamError) throw FAIL.unavailable(); // reported by the stream
        throw e;
      }
      batch.published++;
    }
    if (deadline.aborted) return;
    res.writeHead(204, { "cache-control": "no-store" });
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, name: string, deadline: AbortSignal, batch: { published: number }): Promise<void> {
    if (name === "stream-ticket") {
      if (req.method === "OPTIONS") return preflight(req, res);
      if (req.method !== "POST") throw FAIL.method("POST");
      return streamTicket(req, res);
    }
    if (name === "voice-ai") {
      if (req.method !== "POST") throw FAIL.method("POST");
      return voiceAi(req, res, deadline, batch);
    }
    throw FAIL.unknown();
  }

  return async (req, res) => {
    const name = new URL(req.url ?? "/", "http://localhost").pathname.split("/").pop() ?? "";
    if (name === "events") return stream.handleEvents(req, res);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new AbortController();
    const batch = { published: 0 };
    try {
      await Promise.race([
        route(req, res, name, deadline.signal, batch),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            deadline.abort();
            reject(FAIL.timeout(name === "voice-ai" ? batch.published : undefined));
          }, timeoutMs);
        }),
      ]);
    } catch (e) {
      if (!(e instanceof HttpError)) report(new AgentStreamError("INTERNAL", `${name} failed: ${scrubText(e instanceof Error ? e.message : String(e), secrets)}`));
      const error = e instanceof HttpError ? e : FAIL.internal();
      // A body still arriving is cut off with the answer (Node closes the connection after it).
      const close = req.complete ? {} : { connection: "close" };
      sendError(res, error, { ...(name === "stream-ticket" ? cors(req) : {}), ...close });
    } finally {
      clearTimeout(timer);
    }
  };
}
