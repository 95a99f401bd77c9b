// Placeholder until the sip connector lands: the app shows this message instead of failing.
import { ConnectorUnavailableError, type LoadConnector } from "./types.ts";

export const load: LoadConnector = () =>
  Promise.reject(new ConnectorUnavailableError("The sip connector is not built yet. Use ?connector=simulator."));
