export { TwilioRestStub, STUB_ACCOUNT_SID, STUB_AUTH_TOKEN, type StubConference, type StubParticipant, type StubRequest, type TwilioRestStubEvents } from "./rest-stub.js";
