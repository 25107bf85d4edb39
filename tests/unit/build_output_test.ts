/**
 * The success text of docker_build_image: what the steps printed, without
 * what the classic builder says of itself on every build (those lines stay
 * in log_tail).
 */

import assert from "node:assert/strict";
import { lastOutput } from "../../src/tools/images/build_image.ts";

const TAIL = [
  "Step 1/3 : FROM busybox",
  "latest: Pulling from library/busybox",
  "Pulling fs layer",
  "Pull complete",
  "Digest: sha256:abc",
  "Status: Downloaded newer image for busybox:latest",
  " ---> fab54aa38f4b",
  "Step 2/3 : RUN npm ci",
  " ---> Running in e632090a55b2",
  "npm WARN deprecated left-pad@1.0.0",
  "added 12 packages",
  "Removing intermediate container e632090a55b2",
  " ---> 3377ac290c8e",
  'Step 3/3 : CMD ["node"]',
  " ---> Using cache",
  " ---> 026f6f11d1fc",
  "Successfully built 026f6f11d1fc",
  "Successfully tagged app:1",
];

Deno.test("build text: the steps' own output, none of the builder's bookkeeping", () => {
  assert.equal(
    lastOutput(TAIL),
    "\nLast output:\nnpm WARN deprecated left-pad@1.0.0\nadded 12 packages",
  );
});

Deno.test("build text: a build whose steps printed nothing adds nothing", () => {
  assert.equal(lastOutput(TAIL.filter((l) => !/npm|added/.test(l))), "");
});

Deno.test("build text: at most the last five lines of output", () => {
  const lines = Array.from({ length: 9 }, (_, i) => `line ${i}`);
  assert.equal(lastOutput(lines), `\nLast output:\n${lines.slice(-5).join("\n")}`);
});
