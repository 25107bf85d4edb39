/**
 * Secrets recognised by their shape, wherever they appear in free text (logs,
 * exec output, build output, diagnose, process tables): private key blocks,
 * JWTs, cloud and forge tokens, URL passwords. What is and is not covered is
 * listed in docs/security.md ("Redaction").
 *
 * @module
 */

/** What a redacted value becomes (the same word as redact.ts). */
const REDACTED = "***REDACTED***";

/**
 * A PEM private key block: from its BEGIN line to its END line, or to the end
 * of the text when the output was cut before the END.
 */
const PEM_PRIVATE_KEY =
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$(?![\s\S]))/g;

/** Tokens with a recognisable prefix or structure, replaced whole. */
const TOKEN_SHAPES: readonly RegExp[] = [
  // JWT (and JWS/JWE compact forms): header.payload.signature, base64url.
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // AWS access key IDs (long-term AKIA, temporary ASIA).
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // GitHub: classic and fine-grained tokens.
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  // GitLab personal, deploy, runner and CI job tokens.
  /\bgl(?:pat|dt|rt|cbt|ptt|ft|oas)-[A-Za-z0-9_-]{20,}/g,
  // Slack tokens and webhook paths.
  /\bxox[abposre]-[A-Za-z0-9-]{10,}/g,
  /hooks\.slack\.com\/services\/[A-Za-z0-9/]{20,}/g,
  // Google API keys, Stripe secret keys, npm tokens, Anthropic and OpenAI keys.
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}/g,
];

/** What every token shape starts with: text without any of these skips the shapes (most text). */
export const TOKEN_HINT =
  /eyJ|AKIA|ASIA|gh[pousr]_|github_pat_|gl[a-z]{1,3}-|xox|hooks\.slack|AIza|_live_|_test_|npm_|sk-/;

// An AWS secret access key is caught after its name (`aws_secret_access_key=…`,
// by the key rules); a bare 40-character string is not: commit hashes and
// digests have that shape too.

/** `scheme://user:password@host`: the password (the user is kept). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s@/?#]+@/gi;
/** `scheme://TOKEN@host`: userinfo without a password, long enough to be a token. */
const URL_TOKEN = /(\b[a-z][a-z0-9+.-]*:\/\/)[A-Za-z0-9_.~%+-]{20,}@/gi;

/**
 * Replaces every secret of a known shape in `text`. A private key block cut
 * before its END keeps no END either, so that a later pass over more of the
 * text (the line joined to the lines after it) still finds the real one.
 */
export function redactShapes(text: string): string {
  let out = text.includes("PRIVATE KEY")
    ? text.replace(PEM_PRIVATE_KEY, (match: string, kind: string, block = "") => {
      const begin = `-----BEGIN ${kind}PRIVATE KEY${block}-----${REDACTED}`;
      return match.includes("-----END")
        ? `${begin}-----END ${kind}PRIVATE KEY${block}-----`
        : begin;
    })
    : text;
  if (TOKEN_HINT.test(out)) {
    for (const shape of TOKEN_SHAPES) {
      out = out.replace(shape, REDACTED);
    }
  }
  if (!out.includes("@") || !out.includes("://")) return out;
  return out.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(URL_TOKEN, `$1${REDACTED}@`);
}

const BLOCK_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
const BLOCK_END = /-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

/**
 * A list of lines (a log split into entries, the lines of a diagnosis): the
 * lines of a private key block between its BEGIN line and its END line are
 * redacted whole, since no single line shows the block's shape.
 */
export function redactLineBlocks<T>(list: readonly T[]): T[] {
  // A block starts with a BEGIN line: without one nothing changes (most lists).
  if (!list.some((item) => typeof item === "string" && item.includes("PRIVATE KEY"))) {
    return list.slice();
  }
  let inside = false;
  return list.map((item) => {
    if (typeof item !== "string") return item;
    if (inside) {
      if (BLOCK_END.test(item)) inside = false;
      return REDACTED as T;
    }
    const begin = item.search(BLOCK_BEGIN);
    if (begin >= 0 && !BLOCK_END.test(item.slice(begin))) inside = true;
    return item;
  });
}
