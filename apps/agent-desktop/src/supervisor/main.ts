/**
 * The supervisor page (supervisor.html): the Call Control Panel and a
 * monitoring view on the configured connector. A supervisor picks a live call
 * (or types a call or agent id), listens in, then whispers to the agent,
 * barges into the conversation or leaves, through `desktop.monitor`,
 * `setMonitorMode` and `hangup`. On the simulator the page also shows the
 * floor (other agents' live calls, from its own in-page server) and can start
 * demo calls there; on a vendor connector it says what the target id is and
 * offers the typed form only. Only the modes the connector declares are offered.
 */
import { de, defineCallControlPanel, es, registerLocale } from "@opencti/call-control-panel";
import { createDesktop, type Desktop } from "@opencti/core";
import type { SimulatorSetup } from "../connectors/simulator.ts";
import type { AppConfig } from "../connectors/types.ts";
import { byId, startPage } from "../page.ts";
import { mountMonitoring } from "./monitoring.ts";
import "../styles.css";

/** The simulator's supervisor signs in as someone other than the agent page's agent-7 (the URL's agentId still wins). */
function supervisorConfig(config: AppConfig): AppConfig {
  if (config.connector !== "simulator" || config.options.agentId) return config;
  return { ...config, options: { ...config.options, agentId: "supervisor-1" } };
}

async function main(): Promise<void> {
  const started = await startPage({ link: { id: "agent-link", path: "./" }, adjust: supervisorConfig });
  if (!started) return;
  const { config, setup } = started;

  // Its own desktop, never a tab-shared one: the supervisor is not the agent of the agent page.
  const desktop: Desktop = createDesktop({ connector: setup.connector });
  window.__opencti = { config, desktop, setup };

  defineCallControlPanel();
  registerLocale("de", de);
  registerLocale("es", es);
  const panel = document.createElement("opencti-call-control-panel");
  panel.locale = new URLSearchParams(location.search).get("lang") ?? navigator.language;
  panel.desktop = desktop;
  if (setup.login) panel.loginRequest = setup.login;
  byId("panel-column").append(panel);

  const server = "server" in setup ? (setup as SimulatorSetup).server : undefined;
  const unmount = mountMonitoring({ floor: byId("floor"), monitoring: byId("monitoring") }, desktop, config.connector, server);
  byId("app").hidden = false;

  window.addEventListener("pagehide", () => {
    unmount();
    void desktop.destroy().finally(() => setup.dispose?.());
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
}

void main();
