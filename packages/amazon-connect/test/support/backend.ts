/**
 * The connector with a real backend: @opencti/amazon-connect-backend's handler
 * on 127.0.0.1, its official AWS SDK client pointed at the Connect API stub,
 * and the connector's HTTP calls going to it. The stub's MonitorContact
 * opens the monitoring contact in this (supervisor's) fake CCP, as Connect
 * does in the supervisor's CCP; each contact the driver rings is known to the
 * stub as this agent's (DescribeContact's AgentInfo.Id).
 */
import { createServer, type Server } from "node:http";
import type { HarnessVariant } from "@opencti/testkit";
import { createConnectBackendHandler, type ConnectBackendOptions, type MonitorRequest } from "@opencti/amazon-connect-backend";
import { ConnectApiStub, STUB_INSTANCE_ID } from "@opencti/amazon-connect-backend/testing";
import { createHttpAmazonConnectBackend } from "../../src/index.js";
import { createHarness, type AmazonConnectHarness } from "./harness.js";

/** The signed-in user (agent and supervisor at once) and another agent whose calls it monitors. */
const USER_ID = "aaaaaaaa-0000-4000-8000-0000000000a1";
const OTHER_AGENT_ID = "aaaaaaaa-0000-4000-8000-0000000000b2";

export interface BackendHarness extends AmazonConnectHarness {
  stub: ConnectApiStub;
  backendUrl: string;
  /** What the backend's authorizeMonitor was asked, in order. */
  authorized: MonitorRequest[];
  /** The backend's requests, `<METHOD> <path>` in order. */
  backendRequests: string[];
}

/** `backend`: more of the backend handler's options (its agent stream, Contact Lens with `stub.contactLensClient()`…), given the stub. */
export async function createBackendHarness(options: Parameters<typeof createHarness>[0] = {}, variant?: HarnessVariant, backend?: (stub: ConnectApiStub) => Partial<ConnectBackendOptions>): Promise<BackendHarness> {
  const stub = await ConnectApiStub.start();
  stub.addUser(USER_ID);
  const authorized: MonitorRequest[] = [];
  const handler = createConnectBackendHandler({
    client: stub.client(),
    instanceId: STUB_INSTANCE_ID,
    authenticate: (req) => (req.headers.authorization === "Bearer supervisor-session" ? { userId: USER_ID } : undefined),
    authorizeMonitor: (r) => {
      authorized.push(r);
      return r.caller.userId === USER_ID && r.agentId === OTHER_AGENT_ID;
    },
    operationTimeoutMs: 1500,
    ...backend?.(stub),
  });
  const backendRequests: string[] = [];
  const server: Server = createServer((req, res) => {
    backendRequests.push(`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`);
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const backendUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/connect`;
  const h = createHarness({ ...options, variant, connector: { backend: createHttpAmazonConnectBackend({ url: backendUrl, headers: () => ({ authorization: "Bearer supervisor-session" }) }), ...options.connector } });
  // Connect's monitoring contact allows the modes MonitorContact allowed (Streams' getMonitorCapabilities()).
  stub.on("monitor", (m) => h.fake.startMonitoring({ contactId: m.id, capabilities: m.capabilities as ("SILENT_MONITOR" | "BARGE")[] }));
  const ring = h.driver.ringInbound;
  return {
    ...h,
    stub,
    backendUrl,
    authorized,
    backendRequests,
    destinations: { ...h.destinations, unknownMonitorTarget: "cccccccc-0000-4000-8000-00000000dead" },
    driver: {
      ...h.driver,
      async ringInbound(c) {
        const before = new Set(h.fake.contactIds());
        await ring(c);
        for (const id of h.fake.contactIds()) if (!before.has(id)) stub.addContact({ id, agentId: USER_ID });
      },
      monitorTarget: () => Promise.resolve(stub.addContact({ agentId: OTHER_AGENT_ID }).id),
    },
    async dispose() {
      handler.close();
      await h.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stub.close();
    },
  };
}
