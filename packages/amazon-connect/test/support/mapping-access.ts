/** The pure mapping, for tests on plain snapshots. */
export { isSessionInAcw, mapVoiceContact, newMemory as newMemoryForTests } from "../../src/mapping.js";
export type { ContactData } from "../../src/snapshot.js";
