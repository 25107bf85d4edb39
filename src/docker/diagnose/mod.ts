/**
 * Diagnosing a container: the evidence the engine gives (evidence.ts) and the
 * deterministic rules that read it (rules.ts). The tool `docker_diagnose`
 * (src/tools/diagnose/diagnose.ts, which adds a model's synthesis over MCP
 * sampling or the fallback model) and the prompts use it.
 *
 * @module
 */

export { frameData, redactLine } from "./data.ts";
export { type Evidence, gatherEvidence } from "./evidence.ts";
export { diagnose, exitMeaning, type Finding } from "./rules.ts";
