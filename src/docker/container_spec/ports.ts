/**
 * Published ports of the container spec builder. Accepted forms:
 *
 * - an object keyed by container port: `{"80/tcp": 8080}`, `{"80": "8080"}`,
 *   `{"80": "127.0.0.1:8080"}`, `{"53/udp": "[::1]:5353"}`, `{"80": null}` or
 *   `""` or `0` (a random host port), or a list of those values;
 * - a list of docker CLI / compose strings: `"8080:80"`, `"127.0.0.1:8080:80/tcp"`,
 *   `"127.0.0.1::80"` (random port on that address), `"80"` (random port).
 *
 * @module
 */

import { type Fields, isPlainObject } from "./fields.ts";

/** One host binding of a container port, as the engine takes it. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** What ports add to the create body. */
export interface PortSpec {
  ExposedPorts: Record<string, Record<string, never>>;
  PortBindings: Record<string, PortBinding[]>;
}

const PROTOCOLS = ["tcp", "udp", "sctp"];
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Parses the `ports` parameter. */
export function parsePorts(value: unknown, f: Fields): PortSpec {
  const spec: PortSpec = { ExposedPorts: {}, PortBindings: {} };
  const add = (port: string, binding: PortBinding) => {
    spec.ExposedPorts[port] = {};
    (spec.PortBindings[port] ??= []).push(binding);
  };
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const field = `ports.${i}`;
      if (typeof item === "number") return add(containerPort(field, String(item), f), random());
      if (typeof item !== "string") f.fail(field, 'must be a string such as "8080:80"');
      const { port, binding } = parsePortString(field, item, f);
      add(port, binding);
    });
    return spec;
  }
  if (!isPlainObject(value)) {
    f.fail("ports", 'must be an object such as {"80/tcp": 8080} or a list such as ["8080:80"]');
  }
  for (const [key, host] of Object.entries(value)) {
    const field = `ports.${key}`;
    const port = containerPort(field, key, f);
    const hosts = Array.isArray(host) ? host : [host];
    if (hosts.length === 0) f.fail(field, "must name at least one host port");
    hosts.forEach((h, i) =>
      add(port, hostBinding(Array.isArray(host) ? `${field}.${i}` : field, h, f))
    );
  }
  return spec;
}

function random(hostIp = ""): PortBinding {
  return { HostIp: hostIp, HostPort: "" };
}

/** `80` or `80/udp` → `80/tcp` / `80/udp`. */
function containerPort(field: string, text: string, f: Fields): string {
  const match = /^(\d{1,5})(?:\/([a-z]+))?$/.exec(text.trim());
  const proto = match?.[2] ?? "tcp";
  if (!match || !PROTOCOLS.includes(proto)) {
    f.fail(field, "must name a container port such as 80, 80/tcp or 53/udp");
  }
  const number = Number(match[1]);
  if (number < 1 || number > 65535) f.fail(field, "must be a port between 1 and 65535");
  return `${number}/${proto}`;
}

function hostPort(field: string, text: string, f: Fields): string {
  if (text === "") return "";
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    f.fail(field, "must be a host port between 0 and 65535 (0 or empty: a random port)");
  }
  return Number(text) === 0 ? "" : String(Number(text));
}

function hostIp(field: string, text: string, f: Fields): string {
  const ip = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!IPV4.test(ip) && !IPV6.test(ip)) {
    f.fail(field, `has '${text}' where a host IP address such as 127.0.0.1 belongs`);
  }
  return ip;
}

/** A value of the object form: 8080, "8080", "127.0.0.1:8080", "[::1]:8080", null. */
function hostBinding(field: string, value: unknown, f: Fields): PortBinding {
  if (value === null || value === undefined) return random();
  if (typeof value === "number") {
    if (!Number.isInteger(value)) f.fail(field, "must be an integer port");
    return { HostIp: "", HostPort: hostPort(field, String(value), f) };
  }
  if (typeof value !== "string") {
    f.fail(field, 'must be a host port such as 8080, "8080" or "127.0.0.1:8080"');
  }
  const colon = value.lastIndexOf(":");
  if (colon < 0) return { HostIp: "", HostPort: hostPort(field, value.trim(), f) };
  return {
    HostIp: hostIp(field, value.slice(0, colon), f),
    HostPort: hostPort(field, value.slice(colon + 1), f),
  };
}

/** `[ip:][host:]container[/proto]`, with IPv6 addresses in brackets. */
function parsePortString(
  field: string,
  text: string,
  f: Fields,
): { port: string; binding: PortBinding } {
  let rest = text.trim();
  let ip = "";
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]:");
    if (end < 0) f.fail(field, "has an IPv6 address without ']:' after it");
    ip = hostIp(field, rest.slice(0, end + 1), f);
    rest = rest.slice(end + 2);
  }
  const parts = rest.split(":");
  if (parts.length > 3 || (ip && parts.length > 2)) {
    f.fail(field, 'must look like "8080:80", "127.0.0.1:8080:80" or "80/udp"');
  }
  const port = containerPort(field, parts[parts.length - 1], f);
  if (parts.length === 3) ip = hostIp(field, parts[0], f);
  const host = parts.length >= 2 ? hostPort(field, parts[parts.length - 2], f) : "";
  return { port, binding: { HostIp: ip, HostPort: host } };
}
