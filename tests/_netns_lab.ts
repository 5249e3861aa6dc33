/**
 * A two-namespace lab for the rtnetlink tests and fixtures: a host namespace
 * and a router namespace joined by a veth pair (`vh` in the host, `vr` in
 * the router), built with `ip` and removed whatever state it is in. Nothing
 * is done in the namespace the tests run in: every `ip` command names its
 * namespace, and only documentation prefixes (2001:db8::/32) are used.
 *
 * Needs root and `ip netns`; {@linkcode labUnavailable} says why not.
 *
 * @module
 */

import { buildRouterAdvertisement, type NdOption } from "../core-as/router_advertisement.ts";

/** Runs `ip` with `args`; its stdout, or an error with its stderr. */
export async function ip(...args: string[]): Promise<string> {
  const output = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** Runs `ip -j ARGS` and parses its JSON. */
export async function ipJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ip("-j", ...args)) as T;
}

/** Why the lab cannot be built here, or undefined when it can. */
export async function labUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run", command: "ip" }).state !== "granted") {
    return "running ip is not permitted (--allow-run)";
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "FFI is not permitted (--allow-ffi)";
  if (Deno.uid?.() !== 0) return "not root: ip netns needs root";
  const probe = `mif-probe-${Deno.pid}`;
  try {
    await ip("netns", "add", probe);
  } catch (error) {
    return `ip netns add fails: ${(error as Error).message}`;
  } finally {
    await ip("netns", "del", probe).catch(() => {});
  }
  return undefined;
}

/** The lab's two namespaces. */
export interface Lab {
  /** The host namespace, holding `vh`. */
  readonly host: string;
  /** The router namespace, holding `vr`. */
  readonly router: string;
  /** Removes both namespaces and everything in them. */
  close(): Promise<void>;
}

/**
 * Builds the lab: both namespaces with loopback up, the veth pair with
 * duplicate address detection off (the router's link-local address must be
 * usable at once), the host accepting Route Information options up to /64.
 * `vh` is left down, for the test to bring up.
 */
export async function createLab(tag: string): Promise<Lab> {
  const host = `mif-${tag}-${Deno.pid}-h`;
  const router = `mif-${tag}-${Deno.pid}-r`;
  const close = async () => {
    for (const ns of [host, router]) await ip("netns", "del", ns).catch(() => {});
  };
  try {
    await ip("netns", "add", host);
    await ip("netns", "add", router);
    await ip("-n", host, "link", "set", "lo", "up");
    await ip("-n", router, "link", "set", "lo", "up");
    await ip("-n", host, "link", "add", "vh", "type", "veth", "peer", "name", "vr", "netns", router);
    await sysctl(router, "net.ipv6.conf.vr.accept_dad=0");
    await sysctl(host, "net.ipv6.conf.vh.accept_dad=0");
    await sysctl(host, "net.ipv6.conf.vh.accept_ra_rt_info_max_plen=64");
    await ip("-n", router, "link", "set", "vr", "up");
  } catch (error) {
    await close();
    throw error;
  }
  return { host, router, close };
}

async function sysctl(ns: string, setting: string): Promise<void> {
  await ip("netns", "exec", ns, "sysctl", "-q", "-w", setting);
}

/** The child script, run inside a namespace. */
export const CHILD = new URL("./_rtnetlink_child.ts", import.meta.url).pathname;

/** `ip netns exec NS deno run --allow-ffi CHILD ARGS` as a command. */
export function childCommand(ns: string, args: readonly string[], stdin: "piped" | "null" = "null"): Deno.Command {
  return new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "run", "--quiet", "--allow-ffi", CHILD, ...args],
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs the child to completion; its stdout. */
export async function runChild(ns: string, args: readonly string[]): Promise<string> {
  const output = await childCommand(ns, args).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) throw new Error(`child ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  return text;
}

/** The options of the lab's Router Advertisement. */
export const LAB_RA_OPTIONS: readonly NdOption[] = [
  { type: "mtu", mtu: 1400 },
  {
    type: "prefix-information",
    prefix: "2001:db8:77::",
    prefixLength: 64,
    onLink: true,
    autonomous: true,
    routerAddress: false,
    reservedFlags: 0,
    validLifetime: 600,
    preferredLifetime: 300,
  },
  { type: "route-information", prefix: "2001:db8:88::", prefixLength: 48, preference: "high", lifetime: 800 },
  { type: "rdnss", lifetime: 900, servers: ["2001:db8:77::53", "2001:db8:77::54"] },
  { type: "dnssl", lifetime: 900, domains: ["lab.example", "corp.example"] },
  { type: "captive-portal", uri: "https://portal.lab.example/" },
  { type: "pref64", prefix: "64:ff9b::", prefixLength: 96, lifetime: 1800 },
];

/** The lab's Router Advertisement: a default router for 1800 s, high preference. */
export function labRouterAdvertisement(options: readonly NdOption[] = LAB_RA_OPTIONS): Uint8Array {
  return buildRouterAdvertisement({
    curHopLimit: 64,
    managed: false,
    other: false,
    homeAgent: false,
    preference: "high",
    proxy: false,
    reservedFlags: 0,
    routerLifetime: 1800,
    reachableTime: 0,
    retransTimer: 0,
    options,
  });
}

/** Sends `ra` from the router namespace's `vr`. */
export async function sendRouterAdvertisement(lab: Lab, ra: Uint8Array): Promise<void> {
  const hex = Array.from(ra, (b) => b.toString(16).padStart(2, "0")).join("");
  await runChild(lab.router, ["send-ra", "vr", hex]);
}

/** A running child whose stdout is read as JSON lines. */
export interface ChildLines {
  /** The next line that satisfies `match`, within `timeout` ms; earlier ones are dropped. */
  next(match: (event: Record<string, unknown>) => boolean, timeout: number): Promise<Record<string, unknown>>;
  /** Writes a command line to the child's stdin. */
  send(command: string): Promise<void>;
  /** Every line read so far. */
  readonly seen: readonly Record<string, unknown>[];
  /** Ends the child (if still running) and waits for it. */
  close(): Promise<void>;
}

/** Starts the child in `ns` with `args`, reading its JSON lines. */
export function spawnChild(ns: string, args: readonly string[]): ChildLines {
  const process = childCommand(ns, args, "piped").spawn();
  const seen: Record<string, unknown>[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  let ended = false;
  let stderr = "";
  const writer = process.stdin.getWriter();
  const reading = (async () => {
    let pending = "";
    for await (const chunk of process.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf("\n")) !== -1) {
        const text = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          seen.push(JSON.parse(text));
        } catch {
          seen.push({ event: "text", text });
        }
        wake?.();
      }
    }
    ended = true;
    wake?.();
  })();
  const errors = (async () => {
    for await (const chunk of process.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  return {
    seen,
    async next(match, timeout) {
      const deadline = Date.now() + timeout;
      for (;;) {
        while (cursor < seen.length) {
          const event = seen[cursor++]!;
          if (match(event)) return event;
        }
        if (ended) throw new Error(`child ended before the event came; stderr: ${stderr}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event within ${timeout} ms; seen ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
    async send(command) {
      await writer.write(new TextEncoder().encode(command + "\n"));
    },
    async close() {
      await writer.close().catch(() => {});
      try {
        process.kill("SIGTERM");
      } catch {
        // already ended
      }
      await process.status;
      await reading;
      await errors;
    },
  };
}
