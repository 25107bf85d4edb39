/**
 * Sessions of 2025-era clients (Streamable HTTP with `Mcp-Session-Id`): one
 * MCP server and transport each, bound to the caller that opened it, closed
 * after an idle time, with an in-memory event store so an SSE stream can be
 * resumed with `Last-Event-ID`. A session id only finds a session: the
 * request must still authenticate, as the same caller with the same levels
 * (the session's server keeps the levels it was opened with, so a narrower
 * token of the same subject must not reuse a wider token's session).
 *
 * @module
 */

import type { Caller } from "../../interpreter/mod.ts";
import { LEVELS } from "../../manifest/types.ts";
import {
  type EventStore,
  type JSONRPCMessage,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";

/** Events kept per stream for resumption; older ones are dropped. */
const EVENTS_PER_STREAM = 256;
/** Streams kept per session (each POST opens one); the oldest are forgotten first. */
const STREAMS_PER_SESSION = 512;

/** An in-memory event store: event ids are `<stream>_<n>`. */
export class MemoryEventStore implements EventStore {
  readonly #streams = new Map<string, { n: number; events: [string, JSONRPCMessage][] }>();

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    let stream = this.#streams.get(streamId);
    if (!stream) {
      this.#streams.set(streamId, stream = { n: 0, events: [] });
      // A Map iterates in insertion order: the first key is the oldest stream.
      if (this.#streams.size > STREAMS_PER_SESSION) {
        this.#streams.delete(this.#streams.keys().next().value!);
      }
    }
    const id = `${streamId}_${++stream.n}`;
    stream.events.push([id, message]);
    if (stream.events.length > EVENTS_PER_STREAM) stream.events.shift();
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const streamId = eventId.slice(0, eventId.lastIndexOf("_"));
    return Promise.resolve(this.#streams.has(streamId) ? streamId : undefined);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const streamId = lastEventId.slice(0, lastEventId.lastIndexOf("_"));
    const events = this.#streams.get(streamId)?.events ?? [];
    const after = events.findIndex(([id]) => id === lastEventId);
    for (const [id, message] of events.slice(after + 1)) await send(id, message);
    return streamId;
  }
}

/** Who may use a session: the caller's name and every level it holds. */
export function callerKey(caller: Caller): string {
  return `${caller.name}\n${LEVELS.filter((level) => caller.allowsLevel(level)).join(",")}`;
}

/** One open session. */
export interface Session {
  id: string;
  /** The {@link callerKey} of the caller that opened it. */
  caller: string;
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
}

/** The open sessions, with idle expiry. */
export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #timer: number;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
    // Deno answers a number; the SDK's Node types make the checker expect a Timeout.
    this.#timer = setInterval(() => this.#expire(), Math.min(idleMs, 30_000)) as unknown as number;
    Deno.unrefTimer(this.#timer);
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session of an id, when this caller opened it (else as if it did not exist). */
  find(id: string, caller: Caller): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session || session.caller !== callerKey(caller)) return undefined;
    session.lastSeen = Date.now();
    return session;
  }

  /** The least recently used session of a caller (by {@link callerKey}), if it has any. */
  oldestOf(key: string): Session | undefined {
    let oldest: Session | undefined;
    for (const session of this.#sessions.values()) {
      if (session.caller === key && (!oldest || session.lastSeen < oldest.lastSeen)) {
        oldest = session;
      }
    }
    return oldest;
  }

  /** How many sessions a caller (by {@link callerKey}) has open. */
  countOf(key: string): number {
    let n = 0;
    for (const session of this.#sessions.values()) if (session.caller === key) n++;
    return n;
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
  }

  /** Forgets a session (its transport closed). */
  remove(id: string): void {
    this.#sessions.delete(id);
  }

  #expire(): void {
    const cutoff = Date.now() - this.#idleMs;
    for (const session of [...this.#sessions.values()]) {
      if (session.lastSeen < cutoff) void this.close(session);
    }
  }

  /** Closes one session's server and transport. */
  async close(session: Session): Promise<void> {
    this.#sessions.delete(session.id);
    await session.server.close().catch(() => {});
  }

  /** Closes every session and stops the expiry timer. */
  async closeAll(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#sessions.values()].map((s) => this.close(s)));
  }
}
