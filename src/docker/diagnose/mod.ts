/**
 * Diagnosing a container: the evidence the engine gives (evidence.ts), the
 * deterministic rules that read it (rules.ts), and a model's synthesis
 * (synthesis.ts). The tool `docker_diagnose` (src/tools/diagnose/diagnose.ts)
 * and the prompts use it.
 *
 * @module
 */

export { frameData, redactLine } from "./data.ts";
export { type Evidence, gatherEvidence } from "./evidence.ts";
export { diagnose, exitMeaning, type Finding } from "./rules.ts";
