/**
 * The committed dashboard bundle is what the view's source builds to, so a
 * change to the view can never ship stale (like the README's tool reference).
 *
 * @module
 */

import assert from "node:assert/strict";
import { BUNDLE, bundleModule, bundleView } from "../tools/build_apps.ts";

Deno.test({
  name: "apps: src/server/apps/dashboard/bundle.ts is up to date (deno task build:apps)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const built = await bundleModule(await bundleView());
    const committed = await Deno.readTextFile(BUNDLE);
    assert.ok(committed === built, "bundle.ts is stale: run `deno task build:apps`");
  },
});

Deno.test("apps: the page's CSP allows exactly its own script, by hash", async () => {
  const { DASHBOARD_HTML } = await import("../../src/server/apps/dashboard/bundle.ts");
  const script = /<script type="module">([\s\S]*)<\/script>/.exec(DASHBOARD_HTML)![1];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  assert.ok(DASHBOARD_HTML.includes(`script-src 'sha256-${hash}'`));
});
