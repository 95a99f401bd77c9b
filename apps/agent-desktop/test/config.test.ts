import { describe, expect, it } from "vitest";
import { configFromQuery, DEFAULT_CONNECTOR } from "../src/config.ts";

describe("app configuration", () => {
  it("defaults to the simulator with no options", () => {
    expect(configFromQuery("")).toEqual({ connector: DEFAULT_CONNECTOR, options: {} });
    expect(DEFAULT_CONNECTOR).toBe("simulator");
  });

  it("takes the connector and its options from the URL", () => {
    expect(configFromQuery("?connector=sip&server=wss%3A%2F%2Fpbx.example%2Fws&aor=sip%3A1001%40pbx.example")).toEqual({
      connector: "sip",
      options: { server: "wss://pbx.example/ws", aor: "sip:1001@pbx.example" },
    });
  });

  it("lets URL parameters override config.json one by one", () => {
    const file = { connector: "twilio", options: { tokenUrl: "/token", region: "ie1" } };
    expect(configFromQuery("?region=us1", file)).toEqual({ connector: "twilio", options: { tokenUrl: "/token", region: "us1" } });
    expect(configFromQuery("?connector=simulator", file).connector).toBe("simulator");
    expect(file.options.region).toBe("ie1"); // the file's object is not modified
  });
});
