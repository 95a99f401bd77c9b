export { TwilioEmulator, newSid, type OutboundInvite, type Reinvite, type RingSpec, type SignalFrame, type TokenVerdict, type TwilioEmulatorOptions, type TwilioFrameError } from "./emulator.js";
