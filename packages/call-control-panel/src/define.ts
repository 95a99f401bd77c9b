/** Side-effect entry: `import "@opencti/call-control-panel/define"` registers the element. */
import { defineCallControlPanel } from "./index.js";

defineCallControlPanel();
