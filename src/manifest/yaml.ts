/**
 * The `yaml` package, loaded on first use (docs/performance.md, "Start fast,
 * stay small").
 *
 * @module
 */

/** The package's exports. */
export type Yaml = typeof import("yaml");

/**
 * Imports `yaml`. Deno loads its CommonJS build (Node's condition) with named
 * exports and `default` the whole `module.exports`; the bundle berth ships
 * (packaging/bundle.ts) gives a lazily imported CommonJS module `default`
 * alone. `default` is the package either way.
 */
export async function importYaml(): Promise<Yaml> {
  const module = await import("yaml");
  return (module as { default?: Yaml }).default ?? module;
}
