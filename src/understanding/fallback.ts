/**
 * The fallback model of the configuration contract (`fallback.*`): when the
 * client cannot sample, `docker_diagnose` with `use_ai` may ask Anthropic's
 * Messages API directly, with the key from the environment variable that
 * `fallback.api_key_env` names.
 *
 * The default sandbox grants neither that variable nor api.anthropic.com, on
 * purpose: an operator who enables the fallback grants both, and every
 * refusal says which permission to add.
 *
 * @module
 */

import type { Config } from "../config/mod.ts";
import { allowFlag, whereFlagsGo } from "../errors/mod.ts";
import type { FallbackModel, SampleRequest } from "../interpreter/contract.ts";

/** Where the Messages API lives. */
export const ANTHROPIC_HOST = "api.anthropic.com";
const MESSAGES_URL = `https://${ANTHROPIC_HOST}/v1/messages`;
const API_VERSION = "2023-06-01";
/** A model answer that takes longer than this is abandoned. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Error bodies are read up to this many characters. */
const MAX_ERROR_TEXT = 2000;

/** Injectable for tests: the environment and fetch. */
export interface FallbackDeps {
  env?: (name: string) => string | undefined;
  fetch?: typeof fetch;
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** Builds the fallback from the config; says why when it cannot be used. */
export function createFallbackModel(
  config: Config["fallback"],
  deps: FallbackDeps = {},
): FallbackModel {
  const base = {
    model: config.model,
    maxLogLines: config.maxLogLines,
    maxTokens: config.maxTokens,
  };
  if (!config.enabled) {
    return {
      ...base,
      unavailable: "the fallback model is disabled (fallback.enabled is false in the config file)",
    };
  }
  const variable = config.apiKeyEnv;
  // The berth set already opens the network (metadata addresses aside), so
  // the variable is usually the only grant missing; a net flag is advised
  // only where the network really is closed (the locked-down recipe).
  if (!deps.env && !granted({ name: "env", variable })) {
    return {
      ...base,
      unavailable:
        `fallback.enabled is true but the sandbox does not let berth read ${variable}. ` +
        whereFlagsGo(allowFlag("env", variable)),
    };
  }
  if (!deps.fetch && !granted({ name: "net", host: ANTHROPIC_HOST })) {
    return {
      ...base,
      unavailable:
        `fallback.enabled is true but the sandbox does not let berth reach ${ANTHROPIC_HOST}; ` +
        `add ${ANTHROPIC_HOST} to the --allow-net list of the command that starts berth`,
    };
  }
  const key = (deps.env ?? ((n) => Deno.env.get(n)))(variable)?.trim();
  if (!key) {
    return {
      ...base,
      unavailable:
        `fallback.enabled is true but the environment variable ${variable} (fallback.api_key_env) is empty`,
    };
  }
  const doFetch = deps.fetch ?? fetch;
  return {
    ...base,
    sample: (request) => askAnthropic(doFetch, key, config.model, request),
  };
}

interface MessagesResponse {
  content?: { type: string; text?: string }[];
  error?: { type?: string; message?: string };
}

/** One Messages API call; the answer's text blocks joined. */
async function askAnthropic(
  doFetch: typeof fetch,
  key: string,
  model: string,
  request: SampleRequest,
): Promise<string> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await doFetch(MESSAGES_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": key,
        "anthropic-version": API_VERSION,
      },
      body: JSON.stringify({
        model,
        max_tokens: request.maxTokens,
        system: request.system,
        messages: [{ role: "user", content: request.prompt }],
      }),
      signal,
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw new Error(
        `The sandbox refuses ${ANTHROPIC_HOST}; start berth with --allow-net=${ANTHROPIC_HOST}`,
      );
    }
    if (timeout.aborted) throw new Error(`No answer from ${ANTHROPIC_HOST} within 60s`);
    throw new Error(`Cannot reach ${ANTHROPIC_HOST}: ${(error as Error).message}`);
  }
  const text = (await response.text()).slice(0, 1024 * 1024);
  let body: MessagesResponse = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: reported below with the raw text.
  }
  if (!response.ok) {
    const message = body.error?.message ?? text.slice(0, MAX_ERROR_TEXT);
    throw new Error(`The Anthropic API answered ${response.status}: ${message}`);
  }
  return (body.content ?? [])
    .filter((block) => block.type === "text" && block.text)
    .map((block) => block.text)
    .join("\n");
}
