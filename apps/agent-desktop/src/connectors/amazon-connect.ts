// Placeholder until the amazon-connect connector lands: the app shows this message instead of failing.
import { ConnectorUnavailableError, type LoadConnector } from "./types.ts";

export const load: LoadConnector = () =>
  Promise.reject(new ConnectorUnavailableError("The amazon-connect connector is not built yet. Use ?connector=simulator."));
