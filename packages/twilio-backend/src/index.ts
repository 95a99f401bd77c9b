export { createCallControlHandler, type CallControlHandlerOptions } from "./handler.js";
