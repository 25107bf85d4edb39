/**
 * Secrets passed as command-line arguments: the word after a secret-looking
 * flag (`--password X`, `--db-token X`, `--api-key X`), and the short flags of
 * commands that take a password by them (`mysql -pX`, `docker login -p X`,
 * `redis-cli -a X`, `curl -u user:pass`). Used for argv lists (an inspect's
 * `Args`, `Cmd`, `Entrypoint`) and for command lines in text (`top`, `ps`
 * output, logs). `--password=X` is a `KEY=value` and redact.ts takes it.
 *
 * Short flags mean different things to different programs (`-p` is a port to
 * `psql`, `ssh` and `docker run`), so they count only after the programs
 * listed here; docs/security.md lists them.
 *
 * @module
 */

/** What a redacted value becomes (the same word as redact.ts). */
const REDACTED = "***REDACTED***";

/** Marker words of a secret flag's name (`--db-password`, `--client-secret`, `--apikey`). */
const FLAG_WORDS =
  /(?:^|[-_.])(password|passwd|pass|pwd|secret|token|api-?key|apikey|key|credentials?|auth)(?:$|[-_.])/i;
/** Flag names glued to a marker (`--dbpassword`, `--accesstoken`). */
const FLAG_SUFFIX = /(password|passwd|secret|token|apikey)$/i;

/** Flags that carry a password for one program only (basename), `-p` above all. */
const SHORT_PASSWORD_FLAGS: Readonly<Record<string, readonly string[]>> = {
  mysql: ["-p"],
  mysqldump: ["-p"],
  mysqladmin: ["-p"],
  mysqlimport: ["-p"],
  mysqlshow: ["-p"],
  mariadb: ["-p"],
  "mariadb-dump": ["-p"],
  "mariadb-admin": ["-p"],
  mongo: ["-p"],
  mongosh: ["-p"],
  mongodump: ["-p"],
  mongorestore: ["-p"],
  mongoexport: ["-p"],
  mongoimport: ["-p"],
  sshpass: ["-p"],
  "redis-cli": ["-a"],
  curl: ["-u", "--user", "--proxy-user", "-U"],
};

/** Programs whose `login` subcommand takes `-p PASSWORD` (and `-u` is the user). */
const LOGIN_PROGRAMS = new Set([
  "docker",
  "podman",
  "nerdctl",
  "buildah",
  "skopeo",
  "helm",
  "oras",
]);

/** Flags that name where a secret lives (`--token-file`, `--password-file`), not the secret. */
const LOCATION_SUFFIX = /[-_](file|path|dir)$/i;

/** True for a flag (`--x`, `-x`) whose name marks a secret. */
export function isSecretFlag(word: string): boolean {
  const match = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(word);
  if (!match) return false;
  const name = match[1];
  // One-letter flags are program-specific: see SHORT_PASSWORD_FLAGS.
  if (name.length < 2) return false;
  // A path is no secret, and hiding it mangles berth's own hints ("Add --token-file FILE").
  if (LOCATION_SUFFIX.test(name)) return false;
  return FLAG_WORDS.test(name) || FLAG_SUFFIX.test(name);
}

/** The program a word names (`/usr/bin/mysql` → `mysql`), quotes dropped. */
function program(word: string): string {
  return word.replace(/^["']|["']$/g, "").split("/").pop() ?? "";
}

/** The short password flags in force for the words after index `at` of a command. */
function shortFlagsOf(words: readonly string[], at: number): readonly string[] {
  const name = program(words[at]);
  if (SHORT_PASSWORD_FLAGS[name]) return SHORT_PASSWORD_FLAGS[name];
  if (LOGIN_PROGRAMS.has(name) && words.slice(at + 1).some((w) => w === "login")) return ["-p"];
  return [];
}

/** A program with short password flags of its own, or whose `login` takes `-p`. */
function takesShortPassword(name: string): boolean {
  return name in SHORT_PASSWORD_FLAGS || LOGIN_PROGRAMS.has(name);
}

/** A word that ends one command and starts another (`;`, `&&`, `|`, `sh -c`'s string is one word). */
function separates(word: string): boolean {
  return /^(;|&&|\|\||\||&)$/.test(word) || /[;|&]$/.test(word);
}

/**
 * Indexes of the words of an argv (or of a command line split on blanks)
 * that hold a secret: the value after a secret flag (unless it is itself a
 * flag), the glued value of a short password flag (`-pX`: the whole word).
 */
export function secretWordIndexes(words: readonly string[]): Set<number> {
  const hidden = new Set<number>();
  let short: readonly string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i].replace(/^["']|["']$/g, "");
    if (i === 0 || separates(words[i - 1])) short = shortFlagsOf(words, i);
    else if (short.length === 0 && takesShortPassword(program(word))) {
      // Mid-line too: `sh -c docker login -p X` (an image history's CreatedBy), `sudo mysql -pX`.
      short = shortFlagsOf(words, i);
    }
    const next = words[i + 1];
    const valueFollows = next !== undefined && !next.startsWith("-") && !next.includes(REDACTED);
    if ((isSecretFlag(word) || short.includes(word)) && valueFollows) {
      hidden.add(i + 1);
      i++;
      continue;
    }
    const glued = short.find((flag) => word.startsWith(flag) && word.length > flag.length);
    if (glued && !word.includes("=")) hidden.add(i);
  }
  return hidden;
}

/**
 * True when a word may start a flag (`-x`, `--x`, quoted or not): every word
 * {@link secretWordIndexes} hides follows or is a flag, secret or short.
 */
function flagLike(word: unknown): boolean {
  if (typeof word !== "string") return false;
  const first = word.charCodeAt(0);
  // 45 is '-'; 34 and 39 are the quotes a word may keep.
  return first === 45 || ((first === 34 || first === 39) && word.charCodeAt(1) === 45);
}

/** An argv list with its secret words replaced; other entries kept as they are. */
export function redactArgv<T>(list: readonly T[]): T[] {
  // Without a flag nothing is hidden (most lists: names, ports, mounts, rows).
  if (!list.some(flagLike)) return list.slice();
  const words = list.map((w) => (typeof w === "string" ? w : ""));
  const hidden = secretWordIndexes(words);
  return list.map((w, i) => {
    if (!hidden.has(i) || typeof w !== "string") return w;
    // `-pX`: keep the flag, hide what is glued to it (a value after a flag never starts with -).
    return (/^-[A-Za-z]./.test(w) ? `${w.slice(0, 2)}${REDACTED}` : REDACTED) as T;
  });
}

/**
 * A cheap first look: a flag whose name holds a marker, or a program with
 * password flags. Text without either (most log lines) is not split at all.
 */
export const MAY_HOLD_SECRET =
  /-(?:[A-Za-z0-9_.-]*(?:pass|pwd|secret|token|key|cred|auth))|(?:mysql|mariadb|mongo|sshpass|redis-cli|curl|login)/i;

/** Command lines in free text: each line's blank-separated words, by {@link redactArgv}. */
export function redactCommandLines(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text.replace(/[^\n]+/g, (line) => {
    if (!MAY_HOLD_SECRET.test(line)) return line;
    // NUL separates the words of /proc/<pid>/cmdline.
    const parts = line.split(/([\s\0]+)/);
    const words = parts.filter((_, i) => i % 2 === 0);
    const redacted = redactArgv(words);
    if (redacted.every((w, i) => w === words[i])) return line;
    return parts.map((p, i) => (i % 2 === 0 ? redacted[i / 2] : p)).join("");
  });
}
