// Writes schema/*.json from scripts/schema-source.mjs. Run after changing the event model.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { eventSchemas } from "./schema-source.mjs";

const dir = new URL("../schema/", import.meta.url);
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (name.endsWith(".json")) rmSync(new URL(name, dir));
const files = eventSchemas();
for (const [name, schema] of Object.entries(files)) writeFileSync(new URL(name, dir), `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${Object.keys(files).length} schema files`);
