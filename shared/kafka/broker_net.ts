/**
 * Where a broker listens and what it advertises, and the port checks done before starting one.
 *
 * @module
 */

/** Listen and advertised hosts of a broker, from `host:port` and an optional advertised host. */
export interface BrokerAddresses {
  /** Host the client listener binds (`0.0.0.0`: every interface). */
  listenHost: string;
  /** Client port (0: pick a free one). */
  port: number;
  /** Host clients are told to connect to. */
  advertiseHost: string;
}

/**
 * Decides where a broker listens and what it advertises. Advertising a host other than a
 * loopback listen host means other machines should connect, so it then listens on every
 * interface; listening on every interface without an advertised host advertises `lan()`.
 */
export function brokerAddresses(
  listen: string,
  advertise?: string,
  lan: () => string = firstLanAddress,
): BrokerAddresses {
  const { host, port } = splitHostPort(listen);
  const advertised = advertise?.trim() || undefined;
  let listenHost = host;
  if (advertised && advertised !== host && isLoopback(host)) listenHost = "0.0.0.0";
  const advertiseHost = advertised ?? (isWildcard(listenHost) ? lan() : listenHost);
  return { listenHost, port, advertiseHost };
}

/** Splits `host:port` (IPv6 in brackets); throws a one-line error otherwise. */
export function splitHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value.trim());
  if (!m || Number(m[2]) > 65535) {
    throw new Error(`Kafka listen address must be host:port, got '${value}'`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

/** Throws a one-line error when `host:port` cannot be listened on. */
export function checkPortFree(host: string, port: number) {
  try {
    Deno.listen({ hostname: host, port }).close();
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `cannot start Kafka on ${host}:${port}: the port is in use by another program (not a Kafka broker that answers)`,
      );
    }
    if (e instanceof Deno.errors.AddrNotAvailable) {
      throw new Error(
        `cannot start Kafka on ${host}:${port}: ${host} is not an address of this machine`,
      );
    }
    throw new Error(`cannot listen on ${host}:${port}: ${e instanceof Error ? e.message : e}`);
  }
}

/** True when `host:port` can be listened on now. */
export function isFree(host: string, port: number): boolean {
  try {
    Deno.listen({ hostname: host, port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that is free on 127.0.0.1 now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * The first of `n` consecutive TCP ports that are all free on 127.0.0.1 now (a cluster's brokers
 * listen on consecutive ports).
 */
export function freePorts(n: number): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    // below Linux's ephemeral range (32768-60999): no outgoing connection takes it meanwhile
    const first = 20_000 + Math.floor(Math.random() * (12_700 - n));
    const ports = Array.from({ length: n }, (_, i) => first + i);
    if (ports.every((p) => isFree("127.0.0.1", p) && isFree("0.0.0.0", p))) return first;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/** First non-loopback IPv4 address of this machine (what other lab PCs can reach), else 127.0.0.1. */
export function firstLanAddress(): string {
  try {
    const found = Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    );
    return found?.address ?? "127.0.0.1";
  } catch {
    return "127.0.0.1";
  }
}

/** True when `host` is loopback or one of this machine's interface addresses (names: assumed yes). */
export function isLocalAddress(host: string): boolean {
  if (isLoopback(host)) return true;
  if (!/^[\d.]+$/.test(host) && !host.includes(":")) return true; // a name: cannot tell, no DNS here
  try {
    return Deno.networkInterfaces().some((i) => i.address === host);
  } catch {
    return true;
  }
}

/** True for localhost and 127.x / ::1. */
export function isLoopback(host: string) {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}

/** True for 0.0.0.0 / :: (every interface). */
export function isWildcard(host: string) {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** An IPv6 host in brackets, for `host:port`. */
export function bracket(host: string) {
  return host.includes(":") ? `[${host}]` : host;
}

/** True when a TCP connection to `host:port` succeeds. */
export async function portOpen(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(":");
  try {
    const conn = await Deno.connect({
      hostname: hostPort.slice(0, i).replace(/^\[|\]$/g, ""),
      port: Number(hostPort.slice(i + 1)),
    });
    conn.close();
    return true;
  } catch {
    return false;
  }
}
