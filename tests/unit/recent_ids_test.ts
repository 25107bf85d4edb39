/**
 * The per-engine memory of what container references resolved to
 * (src/docker/recent_ids.ts): a guess only, bounded, one per engine.
 */

import { RecentIds, recentIds } from "../../src/docker/recent_ids.ts";
import { assert, assertEquals } from "../helpers/asserts.ts";

const ID = (n: number) => n.toString(16).padStart(64, "0");

Deno.test("recent ids: a full ID is its own guess; a name guesses what it named last", () => {
  const ids = new RecentIds();
  assertEquals(ids.guess(ID(1)), ID(1));
  assertEquals(ids.guess("web"), undefined);
  ids.note("web", ID(2));
  ids.note("web", ID(3));
  assertEquals(ids.guess("web"), ID(3));
  ids.note(ID(4), ID(4));
  assertEquals(ids.size, 1, "full IDs need no memory");
});

Deno.test("recent ids: at most 256 references, the least recently used forgotten first", () => {
  const ids = new RecentIds();
  for (let i = 0; i < 256; i++) ids.note(`c${i}`, ID(i));
  assertEquals(ids.guess("c0"), ID(0)); // c0 is now the most recently used
  ids.note("c256", ID(256));
  assertEquals(ids.size, 256);
  assertEquals(ids.guess("c1"), undefined);
  assertEquals(ids.guess("c0"), ID(0));
});

Deno.test("recent ids: each engine (endpoint object) has its own memory", () => {
  const a = { kind: "unix" };
  const b = { kind: "unix" };
  recentIds(a).note("web", ID(7));
  assert(recentIds(a) === recentIds(a));
  assertEquals(recentIds(b).guess("web"), undefined);
});
