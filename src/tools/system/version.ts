/**
 * `docker_version`: the engine's versions plus the API version in use.
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";

interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  GoVersion: string;
  Components?: { Name: string; Version: string }[];
}

/** Reads `/version` and adds the negotiated API version. */
export const version: Handler = async ({ engine, signal }) => {
  const v = await engine.json<EngineVersion>({ method: "GET", path: "/version", signal });
  const inUse = await engine.apiVersion(signal);
  const structured = {
    engine_version: v.Version,
    api_version: v.ApiVersion,
    min_api_version: v.MinAPIVersion,
    api_version_in_use: inUse,
    os: v.Os,
    arch: v.Arch,
    kernel_version: v.KernelVersion,
    go_version: v.GoVersion,
    components: (v.Components ?? []).map((c) => ({ name: c.Name, version: c.Version })),
  };
  return {
    structured,
    text:
      `Engine ${v.Version} (API ${v.ApiVersion}, min ${v.MinAPIVersion}; berth uses ${inUse}) ${v.Os}/${v.Arch}`,
  };
};
