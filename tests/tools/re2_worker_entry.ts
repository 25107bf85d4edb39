/**
 * The pattern worker's module before bundling (tests/tools/build_worker.ts
 * bundles it with re2js into src/guard/re2_worker.ts): it compiles the
 * pattern it is sent first, then answers each batch of lines with whether
 * each matches. src/guard/pattern.ts starts it and terminates it at the
 * call's deadline.
 *
 * @module
 */

import { RE2JS } from "re2js";

/** The worker's global scope, as far as this module uses it. */
declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

let re: RE2JS | undefined;
self.onmessage = (event: MessageEvent) => {
  const { pattern, lines } = event.data as { pattern?: string; lines?: string[] };
  if (pattern !== undefined) re = RE2JS.compile(pattern);
  else self.postMessage((lines ?? []).map((line) => re!.test(line)));
};
