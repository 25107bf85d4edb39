/**
 * Builds dist/bundle/: berth as the ways ship it (the npm package, the image,
 * the compiled binaries): src/main.ts and its npm packages bundled by
 * `deno bundle` into main.js plus the chunks its lazy imports load on first
 * use. The same code as src/, in a few dozen files instead of some 600
 * modules: a bundle starts in about two thirds of the time and with some
 * 12 MiB less memory (docs/performance.md, "Start fast, stay small").
 *
 *   deno task build                  rebuild when src/, deno.json, deno.lock or this changed
 *   deno task build --force          rebuild anyway
 *
 * The folder sits two levels below the checkout, as src/<module>.ts does, so
 * the paths berth anchors on its own file (the built-in manifest/ folder,
 * deno.json's permission sets) resolve the same from either. A stamp file
 * holds a hash of the inputs: {@link ensureBundle} rebuilds a stale bundle,
 * under a lock, so a test never runs code older than src/.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The bundle's entry point, relative to the checkout: what the shipped ways run. */
export const BUNDLE_ENTRY = "dist/bundle/main.js";

const BUNDLE_DIR = join(ROOT, "dist", "bundle");

const STAMP = ".inputs";
const LOCK = join(ROOT, "dist", ".bundle.lock");

/** Every file the bundle is made of, sorted: src/, the config that resolves its imports, this. */
async function inputs(): Promise<string[]> {
  const files = [
    join(ROOT, "deno.json"),
    join(ROOT, "deno.lock"),
    fileURLToPath(import.meta.url),
  ];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) files.push(path);
    }
  };
  await walk(join(ROOT, "src"));
  return files.sort();
}

/** A hash of the inputs' paths and contents, and of the Deno that bundles them. */
async function inputsHash(): Promise<string> {
  const encoder = new TextEncoder();
  // Another Deno bundles with another esbuild: its bundle is another.
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(`deno ${Deno.version.deno}`)),
  );
  // One digest per file, folded: reading 2 MB in one buffer would double the memory for nothing.
  for (const file of await inputs()) {
    const name = encoder.encode(file.slice(ROOT.length));
    const content = await Deno.readFile(file);
    const both = new Uint8Array(name.length + 1 + content.length);
    both.set(name);
    both.set(content, name.length + 1);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", both));
    for (let i = 0; i < hash.length; i++) hash[i] = (hash[i] * 31 + digest[i]) & 0xff;
  }
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether dist/bundle/ was built from inputs of this hash. */
async function bundleFresh(hash: string): Promise<boolean> {
  try {
    const stamp = await Deno.readTextFile(join(BUNDLE_DIR, STAMP));
    return stamp.trim() === hash;
  } catch {
    return false;
  }
}

/**
 * How the bundle's CommonJS packages (yaml, tar-stream, ajv's, loaded on
 * first use) get `require`. They require Node's built-in modules only
 * (`require("events")`), which `process.getBuiltinModule` answers. deno
 * bundle gives the chunk of its CommonJS helpers a `createRequire` imported
 * from `node:module`: that chunk loads at start, and the import cost 18 ms of
 * every start, for a function the first CommonJS package calls much later.
 * So the import becomes a function with the same name that answers built-in
 * modules (and throws, naming the module, for anything else); where esbuild
 * left its own shim instead ("Dynamic require of … is not supported"), the
 * same `require` is put atop that chunk.
 */
const BUILTIN_REQUIRE = "(id)=>{const m=globalThis.process.getBuiltinModule(id);" +
  "if(m===undefined)throw new Error(`berth's bundle requires no module '${id}'`);return m}";
const DENO_CREATE_REQUIRE =
  'import{createRequire as __deno_internal_createRequire} from "node:module";';
const LAZY_CREATE_REQUIRE = `const __deno_internal_createRequire=()=>${BUILTIN_REQUIRE};`;
const REQUIRE_BANNER = `const require=${BUILTIN_REQUIRE};\n`;

/** Gives the chunks their `require` (see {@link BUILTIN_REQUIRE}). */
async function giveRequire(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".js")) continue;
    const file = join(dir, entry.name);
    const text = await Deno.readTextFile(file);
    if (text.includes(DENO_CREATE_REQUIRE)) {
      await Deno.writeTextFile(file, text.replace(DENO_CREATE_REQUIRE, LAZY_CREATE_REQUIRE));
    } else if (text.includes("Dynamic require of")) {
      await Deno.writeTextFile(file, REQUIRE_BANNER + text);
    }
  }
}

/** Bundles src/main.ts into a new folder and puts it in place of dist/bundle/. */
async function build(hash: string): Promise<void> {
  const staging = `${BUNDLE_DIR}.new-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  const out = await new Deno.Command(Deno.execPath(), {
    // Minified: the source V8 holds at start shrinks from 2 MB to 1.2 MB (some 4 MiB of RSS).
    // Names are not kept: esbuild's --keep-names wraps every function and class in a call at
    // load, 30 ms of cold start; nothing in berth reads a function's or class's name.
    args: [
      "bundle",
      "--quiet",
      "--code-splitting",
      "--minify",
      "--outdir",
      staging,
      "src/main.ts",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) throw new Error(`deno bundle failed:\n${said}`);
  // Warnings (a CommonJS import esbuild cannot resolve statically, say) are worth reading.
  if (said) console.error(said);
  await giveRequire(staging);
  await Deno.writeTextFile(join(staging, STAMP), `${hash}\n`);
  await Deno.remove(BUNDLE_DIR, { recursive: true }).catch(() => {});
  await Deno.rename(staging, BUNDLE_DIR);
}

/**
 * Rebuilds dist/bundle/ unless it is fresh (or `force`), one builder at a
 * time: test files that start servers in parallel wait for one build.
 * Answers whether it built.
 */
export async function ensureBundle(force = false): Promise<boolean> {
  const hash = await inputsHash();
  if (!force && await bundleFresh(hash)) return false;
  await Deno.mkdir(join(ROOT, "dist"), { recursive: true });
  using lock = await Deno.open(LOCK, { create: true, write: true });
  await lock.lock(true);
  try {
    if (!force && await bundleFresh(hash)) return false; // another builder finished first
    await build(hash);
    return true;
  } finally {
    await lock.unlock();
  }
}

if (import.meta.main) {
  const started = performance.now();
  const built = await ensureBundle(Deno.args.includes("--force"));
  const took = Math.round(performance.now() - started);
  console.error(
    built ? `build: dist/bundle/ built in ${took} ms` : "build: dist/bundle/ is up to date",
  );
}
