/**
 * What the agent page (main.ts) and the supervisor page (supervisor/main.ts)
 * both do first: read the configuration, link to the other page with the same
 * connector choice, and load the connector, showing what went wrong in the
 * page instead of failing.
 */
import { readConfig } from "./config.ts";
import { ConnectorUnavailableError, type AppConfig, type ConnectorSetup } from "./connectors/types.ts";
import { loadConnector } from "./load-connector.ts";

export const byId = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`${location.pathname} has no #${id}`);
  return el;
};

function showMessage(text: string): void {
  const message = byId("app-message");
  message.textContent = text;
  message.hidden = false;
}

export interface PageStart {
  /** Changes the configuration before the connector loads (the supervisor's own agent id). */
  readonly adjust?: (config: AppConfig) => AppConfig;
  /** The element linking to the other page, and that page's path (the query kept, without `agentId`). */
  readonly link: { readonly id: string; readonly path: string };
}

/** The configuration and the loaded connector, or undefined once the page says why it cannot start. */
export async function startPage({ adjust = (c) => c, link }: PageStart): Promise<{ config: AppConfig; setup: ConnectorSetup } | undefined> {
  let config: AppConfig;
  try {
    config = adjust(await readConfig());
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    window.__opencti = { config: { connector: "", options: {} }, error: text };
    showMessage(text);
    return undefined;
  }
  window.__opencti = { config };
  byId("connector-name").textContent = `Connector: ${config.connector}`;
  // The other page with the same connector choice (each page signs in as its own person).
  const query = new URLSearchParams(location.search);
  query.delete("agentId");
  byId(link.id).setAttribute("href", `${link.path}${query.size ? `?${query.toString()}` : ""}`);

  try {
    return { config, setup: await loadConnector(config) };
  } catch (err) {
    const text =
      err instanceof ConnectorUnavailableError ? err.message : `The ${config.connector} connector could not start: ${err instanceof Error ? err.message : String(err)}`;
    window.__opencti.error = text;
    showMessage(text);
    return undefined;
  }
}
