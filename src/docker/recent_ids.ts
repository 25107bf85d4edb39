/**
 * The full ID each container reference (a name, a short ID) resolved to last,
 * per engine: a guess that lets a read be sent on the full ID while the
 * reference is resolved again. Never trusted: an answer sent on a guess is
 * used only when the fresh resolution gives that same ID (docs/security.md
 * rule 2). Names move between containers; full IDs never do.
 *
 * @module
 */

/** References remembered per engine; the least recently used is forgotten first. */
const MAX_REFERENCES = 256;

const FULL_ID = /^[0-9a-f]{64}$/;

/** One engine's memory of what its container references resolved to. */
export class RecentIds {
  readonly #byRef = new Map<string, string>();

  /** The full ID `ref` is likely to name: itself when it is one, else what it named last. */
  guess(ref: string): string | undefined {
    if (FULL_ID.test(ref)) return ref;
    const id = this.#byRef.get(ref);
    if (id !== undefined) {
      this.#byRef.delete(ref);
      this.#byRef.set(ref, id);
    }
    return id;
  }

  /** Notes what `ref` resolved to now. */
  note(ref: string, id: string): void {
    if (FULL_ID.test(ref)) return;
    this.#byRef.delete(ref);
    this.#byRef.set(ref, id);
    if (this.#byRef.size > MAX_REFERENCES) this.#byRef.delete(this.#byRef.keys().next().value!);
  }

  /** References remembered (for tests of the bound). */
  get size(): number {
    return this.#byRef.size;
  }
}

const byEngine = new WeakMap<object, RecentIds>();

/** The memory of the engine at `endpoint` (one object per configured engine). */
export function recentIds(endpoint: object): RecentIds {
  let ids = byEngine.get(endpoint);
  if (!ids) byEngine.set(endpoint, ids = new RecentIds());
  return ids;
}
