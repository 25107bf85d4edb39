/**
 * Exec operations of the Engine API, one typed function each (an exec is
 * created by `containers.exec`, on its container's route). The only place
 * their route strings live.
 *
 * @module
 */

import { build, type Extra, type Operation } from "./operation.ts";

/** The exec routes, by operation name (an exec is created by `container.exec`). */
export const EXEC_ROUTES = {
  "exec.start": { method: "POST", path: "/exec/{ref}/start", target: "exec" },
  "exec.resize": { method: "POST", path: "/exec/{ref}/resize", target: "exec" },
  "exec.inspect": { method: "GET", path: "/exec/{ref}/json", target: "exec" },
} as const;

/** The name of an exec operation. */
export type ExecOpName = keyof typeof EXEC_ROUTES;

/** `POST /exec/{ref}/start`: the body says whether to attach (Detach, Tty). */
export function start(
  id: string,
  body: { Detach?: boolean; Tty?: boolean },
  extra?: Extra,
): Operation<"exec.start"> {
  return build(EXEC_ROUTES, "exec.start", { target: id, body }, extra);
}

/** `GET /exec/{ref}/json`. */
export function inspect(id: string, extra?: Extra): Operation<"exec.inspect"> {
  return build(EXEC_ROUTES, "exec.inspect", { target: id }, extra);
}
