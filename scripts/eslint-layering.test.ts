// The layering lint fires on each forbidden import and stays quiet on the allowed ones.
import { ESLint } from "eslint";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { layering } from "./eslint-layering.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: layering });

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${file}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("layering lint (no-restricted-imports)", () => {
  it.each([
    ["core imports a vendor SDK", "packages/core/src/x.ts", 'import { UserAgent } from "sip.js";'],
    ["core imports Twilio's SDK", "packages/core/src/x.ts", 'import { Device } from "@twilio/voice-sdk";'],
    ["core imports a connector", "packages/core/src/x.ts", 'import { x } from "@opencti/simulator";'],
    ["a connector imports another", "packages/sip/src/x.ts", 'import { x } from "@opencti/twilio";'],
    ["a connector imports another's testing", "packages/amazon-connect/src/x.ts", 'import { x } from "@opencti/sip/testing";'],
    ["the panel imports a connector", "packages/call-control-panel/src/x.ts", 'import { x } from "@opencti/simulator";'],
    ["the panel imports a vendor SDK", "packages/call-control-panel/src/x.ts", 'import "amazon-connect-streams";'],
    ["pega imports a connector", "packages/pega/src/x.ts", 'import { x } from "@opencti/twilio";'],
    ["a test imports another package's src", "packages/twilio/test/x.ts", 'import { x } from "../../core/src/index.js";'],
    ["the app imports a package's src", "apps/agent-desktop/src/x.ts", 'import { x } from "../../../packages/core/src/index.ts";'],
  ])("refuses: %s", async (_what, file, source) => {
    expect(await problems(file, source)).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
  });

  it.each([
    ["a connector imports core and its toolkit", "packages/sip/src/x.ts", 'import { x } from "@opencti/core";\nimport { y } from "@opencti/core/connector";\nimport { UserAgent } from "sip.js";'],
    ["the panel imports core and lit", "packages/call-control-panel/src/x.ts", 'import { x } from "@opencti/core";\nimport { LitElement } from "lit";'],
    ["a package's test imports its own src and another's testing", "packages/twilio/test/x.ts", 'import { x } from "../src/index.js";\nimport { y } from "../../src/connector.js";\nimport { z } from "@opencti/twilio-backend/testing";'],
    ["core imports its own modules", "packages/core/src/toolkit/x.ts", 'import { x } from "../model.js";'],
    ["the app composes any packages", "apps/agent-desktop/src/x.ts", 'import { x } from "@opencti/sip";\nimport { y } from "@opencti/amazon-connect/testing";'],
  ])("allows: %s", async (_what, file, source) => {
    expect(await problems(file, source)).toEqual([]);
  });
});
