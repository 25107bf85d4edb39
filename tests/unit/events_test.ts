/**
 * The pure parts of docker_events: the command line the engine runs for a
 * health check (how its execs are recognised) and when the engine's event
 * buffer has dropped part of the window.
 */

import assert from "node:assert/strict";
import { healthCommand } from "../../src/docker/health_execs.ts";
import { availableSince, ENGINE_EVENT_BUFFER } from "../../src/tools/system/events.ts";

Deno.test("health command: as the engine builds it from Config.Healthcheck.Test", () => {
  const config = (test: string[] | undefined, shell?: string[]) => ({
    Config: { Healthcheck: test ? { Test: test } : undefined, Shell: shell } as never,
  });
  assert.equal(
    healthCommand(config(["CMD-SHELL", "curl -f http://x/"])),
    "/bin/sh -c curl -f http://x/",
  );
  assert.equal(healthCommand(config(["CMD", "pg_isready", "-U", "app"])), "pg_isready -U app");
  assert.equal(
    healthCommand(config(["CMD-SHELL", "exit 0"], ["/bin/bash", "-lc"])),
    "/bin/bash -lc exit 0",
    "a container's own SHELL runs CMD-SHELL checks",
  );
  assert.equal(healthCommand(config(["NONE"])), null);
  assert.equal(healthCommand(config(undefined)), null);
  assert.equal(healthCommand({}), null);
});

Deno.test("engine buffer: a full buffer that starts after since hides the rest of the window", () => {
  const since = Date.parse("2024-05-01T10:00:00Z");
  const later = since + 3_600_000;
  assert.equal(
    availableSince({ count: ENGINE_EVENT_BUFFER, firstMs: later }, since),
    "2024-05-01T11:00:00.000Z",
  );
  assert.equal(
    availableSince({ count: ENGINE_EVENT_BUFFER - 1, firstMs: later }, since),
    undefined,
  );
  assert.equal(availableSince({ count: ENGINE_EVENT_BUFFER, firstMs: since }, since), undefined);
  assert.equal(availableSince({ count: 0 }, since), undefined);
});
