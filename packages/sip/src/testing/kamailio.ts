/**
 * A Kamailio registrar/proxy for tests: SIP over WebSocket (RFC 7118) for the
 * agent, SIP/UDP for SIPp far ends, digest auth on REGISTER, in-memory
 * location. Runs in the foreground from a temp dir, on 127.0.0.1 only,
 * stopped by its PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeTcpPort, freeUdpPort } from "./ports.js";
import { killOnExit } from "./processes.js";

/** The SIP domain agents register in; Kamailio treats it as itself. */
export const LAB_DOMAIN = "opencti.test";

export interface KamailioOptions {
  /** The password every user must register with (digest auth). */
  readonly password: string;
  /** A far end on 127.0.0.1 that takes every R-URI user starting with `*` (feature codes: the lab's spy feature). Default none (such users are looked up as agents). */
  readonly featurePort?: number;
}

export function kamailioConfig(o: { udpPort: number; wsPort: number; password: string; featurePort?: number }): string {
  const password = o.password.replace(/["\\]/g, "");
  return `#!KAMAILIO
# Test registrar/proxy: WS on 127.0.0.1:${o.wsPort} (agents), UDP on 127.0.0.1:${o.udpPort} (SIPp).
# R-URI user "udp-NNNN" goes to a SIPp on 127.0.0.1:NNNN${o.featurePort ? `; users starting with * (feature codes) to 127.0.0.1:${o.featurePort}` : ""}.
debug=1
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
alias="${LAB_DOMAIN}"
listen=udp:127.0.0.1:${o.udpPort}
listen=tcp:127.0.0.1:${o.wsPort}
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_rd_buf_size=16384
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "auth.so"
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 60000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 0)
modparam("registrar", "method_filtering", 1)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "min_expires", 1)
modparam("registrar", "gruu_enabled", 0)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "handle_lost_tcp", 1)
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("websocket", "keepalive_mechanism", 0)

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed $rm from $si:$sp\\n"); exit; }
	if (nat_uac_test("64")) {
		force_rport();
		if (is_method("REGISTER")) { fix_nated_register(); }
		else if (is_present_hf("Contact") && !add_contact_alias()) { sl_send_reply("400", "Bad Contact"); exit; }
	}
	if (is_method("OPTIONS") && uri==myself && $rU==$null) { sl_send_reply("200", "OK"); exit; }
	if (has_totag()) { route(WITHINDLG); exit; }
	if (is_method("CANCEL")) { if (t_check_trans()) { route(RELAY); } exit; }
	if (!is_method("ACK")) { t_check_trans(); }
	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE|REFER")) { record_route(); }
	if (is_method("REGISTER")) { route(REGISTRAR); exit; }
	if ($rU == $null) { sl_send_reply("484", "Address Incomplete"); exit; }
	if (uri != myself) {
		if (!handle_ruri_alias()) { sl_send_reply("400", "Bad Alias"); exit; }
		route(RELAY); exit;
	}
	if ($rU =~ "^udp-[0-9]+$") {
		$ru = "sip:" + $rU + "@127.0.0.1:" + $(rU{s.substr,4,0});
		route(RELAY); exit;
	}
${o.featurePort ? `	if ($rU =~ "^[*]") {
		$ru = "sip:" + $rU + "@127.0.0.1:${o.featurePort}";
		route(RELAY); exit;
	}
` : ""}	# Test hook: an INVITE with X-Ring-Timeout: <ms> rings the agent that long, then the proxy CANCELs it and answers the caller 408
	# (Kamailio 5.6 puts no RFC 3326 Reason on the CANCEL its own timer sends).
	if (is_method("INVITE") && is_present_hf("X-Ring-Timeout")) { $var(ring) = $(hdr(X-Ring-Timeout){s.int}); t_set_fr("$var(ring)", "$var(ring)"); }
	route(LOCATION);
}
route[REGISTRAR] {
	if (!pv_auth_check("$fd", "${password}", "0", "1")) { auth_challenge("$fd", "0"); exit; }
	# Test hook: users named blocked-* authenticate but are not allowed to register.
	if ($fU =~ "^blocked-") { sl_send_reply("403", "Forbidden"); exit; }
	# Test hook: revoked-* users register once; refreshing that binding is forbidden.
	if ($fU =~ "^revoked-" && reg_fetch_contacts("location", "$fu", "binding")) { sl_send_reply("403", "Forbidden"); exit; }
	consume_credentials();
	if (!save("location")) { sl_reply_error(); }
}
route[LOCATION] {
	if (!lookup("location")) {
		switch ($rc) {
			case -1:
			case -3: t_newtran(); t_reply("404", "Not Found"); exit;
			case -2: sl_send_reply("405", "Method Not Allowed"); exit;
		}
	}
	route(RELAY);
}
route[WITHINDLG] {
	if (loose_route() || uri != myself) {
		if ($du == "") {
			if (!handle_ruri_alias()) { sl_send_reply("400", "Bad Alias"); exit; }
		}
		route(RELAY); exit;
	}
	if (is_method("ACK")) { if (t_check_trans()) { route(RELAY); } exit; }
	sl_send_reply("404", "Not here");
}
route[RELAY] {
	if (is_method("INVITE|BYE|UPDATE|CANCEL|ACK|REFER|NOTIFY|INFO|MESSAGE|SUBSCRIBE|PRACK")) { t_on_reply("MANAGE_REPLY"); }
	if (!t_relay()) { sl_reply_error(); }
	exit;
}
onreply_route[MANAGE_REPLY] {
	if (nat_uac_test("64")) { add_contact_alias(); }
}
event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($Rp != ${o.wsPort}) { xhttp_reply("403", "Forbidden", "", ""); exit; }
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) { exit; }
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;
}

/** Fails with a message saying how to install the tools, when they are missing. */
export function assertSipToolsInstalled(): void {
  const missing = ["kamailio", "sipp"].filter((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `The SIP tests need ${missing.join(" and ")}. Install them with: sudo apt-get install -y kamailio kamailio-websocket-modules sip-tester (or run the repository's \`pnpm test\`, which installs them when it can).`,
    );
  }
}

function waitForTcp(port: number, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const why = exited();
      if (why !== undefined) return reject(new Error(`Kamailio exited while starting: ${why}`));
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`Kamailio did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface Kamailio {
  readonly udpPort: number;
  readonly wsPort: number;
  /** ws://127.0.0.1:<wsPort> */
  readonly wsUrl: string;
  readonly pid: number | undefined;
  /** What Kamailio wrote to stderr (for failure messages). */
  log(): string;
  /** Stop and start again on the same ports (registrations are lost: usrloc is in memory). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  assertSipToolsInstalled();
  const dir = mkdtempSync(join(tmpdir(), "opencti-kamailio-"));
  const udpPort = await freeUdpPort();
  const wsPort = await freeTcpPort();
  const cfg = join(dir, "kamailio.cfg");
  writeFileSync(cfg, kamailioConfig({ udpPort, wsPort, password: options.password, ...(options.featurePort ? { featurePort: options.featurePort } : {}) }));
  let child: ChildProcess | undefined;
  let output = "";
  let exitedWith: string | undefined;

  async function launch(): Promise<void> {
    exitedWith = undefined;
    const p = spawn("kamailio", ["-f", cfg, "-DD", "-E", "-P", join(dir, "kamailio.pid"), "-w", dir, "-Y", dir, "-m", "64", "-M", "8"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    child = p;
    killOnExit(p);
    p.stderr?.on("data", (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
    });
    p.once("exit", (code, signal) => {
      exitedWith = `code ${String(code)} signal ${String(signal)}\n${output.slice(-2000)}`;
    });
    await waitForTcp(wsPort, 10_000, () => exitedWith);
  }

  async function halt(): Promise<void> {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }

  try {
    await launch();
  } catch (e) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    udpPort,
    wsPort,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    get pid() {
      return child?.pid;
    },
    log: () => output,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
