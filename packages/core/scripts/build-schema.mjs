// Writes schema/*.json from scripts/schema-source.mjs. Run after changing the
// event model, once it is built: `pnpm build && pnpm schema`. The enumerations
// and limits come from the built package (dist/), so a stale build is refused.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";

const dist = new URL("../dist/index.js", import.meta.url);
const src = new URL("../src/", import.meta.url);
const built = (() => {
  try {
    return statSync(dist).mtimeMs;
  } catch {
    return -1;
  }
})();
const stale = readdirSync(src, { recursive: true }).filter((f) => String(f).endsWith(".ts") && statSync(new URL(String(f), src)).mtimeMs > built);
if (stale.length > 0) {
  console.error(built < 0 ? "dist/ is missing: run `pnpm build` first." : `dist/ is older than ${stale.join(", ")}: run \`pnpm build\` first.`);
  process.exit(1);
}
const { eventSchemas } = await import("./schema-source.mjs");

const dir = new URL("../schema/", import.meta.url);
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (name.endsWith(".json")) rmSync(new URL(name, dir));
const files = eventSchemas();
for (const [name, schema] of Object.entries(files)) writeFileSync(new URL(name, dir), `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${Object.keys(files).length} schema files`);
