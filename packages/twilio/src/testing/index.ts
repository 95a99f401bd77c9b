export { TwilioEmulator, newSid, type OutboundInvite, type RingSpec, type SignalFrame, type TokenVerdict, type TwilioEmulatorOptions } from "./emulator.js";
