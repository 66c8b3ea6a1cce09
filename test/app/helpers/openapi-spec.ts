import { createRequire } from "node:module";

/**
 * The part of GitHub's REST OpenAPI description (@octokit/openapi) that the fake GitHub checks
 * requests against: every path and method with its operationId, parameters and JSON request-body
 * schema, plus the components those refer to (transitively). Responses, examples and webhooks —
 * nine tenths of the 7 MB description — are left out: no request is checked against them.
 *
 * The whole description takes about a second to load and hand to Ajv; this part takes a
 * twentieth of that. The global set-up (test/setup/global.ts) makes it once per run and every
 * test file reads it; openapi.ts calls `openApiSubset()` where that set-up did not run.
 */

export const METHODS = ["get", "post", "put", "patch", "delete"] as const;

interface RawOperation {
  operationId: string;
  parameters?: unknown[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}
interface RawSpec {
  paths: Record<string, Record<string, RawOperation>>;
  components: Record<string, Record<string, unknown>>;
}

export interface SpecSubset {
  paths: Record<string, Record<string, RawOperation>>;
  components: Record<string, Record<string, unknown>>;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (node && typeof node === "object") {
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") into.add(ref);
    for (const value of Object.values(node)) collectRefs(value, into);
  }
}

/** The subset, still in OpenAPI 3.0 spelling (`nullable`). */
export function openApiSubset(): SpecSubset {
  const require = createRequire(import.meta.url);
  const raw = require("@octokit/openapi/generated/api.github.com.json") as RawSpec;
  const refs = new Set<string>();
  const paths: SpecSubset["paths"] = {};
  for (const [template, item] of Object.entries(raw.paths)) {
    const kept: Record<string, RawOperation> = {};
    for (const [method, operation] of Object.entries(item)) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      const { operationId, parameters, requestBody } = operation;
      const schema = requestBody?.content?.["application/json"]?.schema;
      kept[method] = {
        operationId,
        ...(parameters ? { parameters } : {}),
        ...(requestBody
          ? {
              requestBody: {
                ...(requestBody.required !== undefined ? { required: requestBody.required } : {}),
                content: schema === undefined ? {} : { "application/json": { schema } },
              },
            }
          : {}),
      };
      collectRefs(kept[method], refs);
    }
    paths[template] = kept;
  }
  // Every component a kept part refers to, and every one those refer to.
  const components: SpecSubset["components"] = {};
  const queue = [...refs];
  for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
    const [hash, section, kind, name, ...rest] = ref.split("/");
    if (hash !== "#" || section !== "components" || !kind || !name || rest.length > 0) {
      throw new Error(`unexpected $ref in the OpenAPI description: ${ref}`);
    }
    const target = raw.components[kind]?.[name];
    if (target === undefined) throw new Error(`dangling $ref in the OpenAPI description: ${ref}`);
    (components[kind] ??= {})[name] = target;
    const more = new Set<string>();
    collectRefs(target, more);
    for (const next of more) {
      if (!refs.has(next)) {
        refs.add(next);
        queue.push(next);
      }
    }
  }
  return { paths, components };
}
