import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { METHODS, openApiSubset } from "./openapi-spec.js";

/**
 * Checks a request against GitHub's REST OpenAPI description (@octokit/openapi; the part of it
 * that describes requests, see openapi-spec.ts): the route
 * exists for the method, every query parameter is declared, and the JSON body fits the
 * operation's request-body schema. Used by the fake GitHub on every intercepted request, so a
 * call to a route that does not exist, or a body GitHub would reject, fails the test.
 */

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  "x-multi-segment"?: boolean;
  $ref?: string;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter> };
}

interface Route {
  template: string;
  method: string;
  regex: RegExp;
  operation: Operation;
  parameters: Parameter[];
}

let cache: { routes: Route[]; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (cache) return cache;
  // Made once per run by the global set-up (test/setup/global.ts); here where that did not run.
  const file = process.env.ONERECORD_TEST_OPENAPI_SUBSET;
  const subset: unknown = file ? JSON.parse(readFileSync(file, "utf8")) : openApiSubset();
  const spec = toJsonSchema(subset) as Spec;
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      const parameters = (operation.parameters ?? []).map((p) =>
        p.$ref ? spec.components.parameters[p.$ref.split("/").at(-1)!]! : p,
      );
      const multi = new Set(parameters.filter((p) => p["x-multi-segment"]).map((p) => p.name));
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (name) return multi.has(name) ? "(.+)" : "([^/]+)";
          return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      routes.push({ template, method: method.toUpperCase(), regex: new RegExp(`^${source}$`), operation, parameters });
    }
  }
  // Literal segments beat parameters: try the most specific templates first.
  routes.sort((a, b) => literalLength(b.template) - literalLength(a.template));
  const ajv = new Ajv({
    strict: false,
    validateFormats: false,
    validateSchema: false,
    allErrors: true,
    discriminator: false,
  });
  ajv.addSchema(spec, "github");
  cache = { routes, ajv, validators: new Map() };
  return cache;
}

/**
 * OpenAPI 3.0 schemas are JSON Schema but for `nullable`, which Ajv accepts only next to
 * `type`: turn it into the JSON Schema spelling (`type: [T, "null"]` or `anyOf: [S, null]`).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") return { ...out, type: [out.type, "null"] };
    return { anyOf: [out, { type: "null" }] };
  }
  if (out.nullable === false) delete out.nullable;
  return out;
}

function literalLength(template: string): number {
  return template.replace(/\{[^}]+\}/g, "").length;
}

export interface RequestShape {
  method: string;
  /** Path without the query string, as sent (percent-encoded). */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface OpenApiMatch {
  operationId: string;
  template: string;
}

/** The operation a request targets, or the list of reasons it fits none. */
export function checkRequest(
  request: RequestShape,
): { ok: true; match: OpenApiMatch } | { ok: false; errors: string[] } {
  const { routes, ajv, validators } = load();
  const method = request.method.toUpperCase();
  const candidates = routes.filter((r) => r.regex.test(request.path));
  const route = candidates.find((r) => r.method === method);
  if (!route) {
    return {
      ok: false,
      errors: [
        candidates.length
          ? `${method} is not a method of ${candidates[0]!.template}`
          : `no REST route matches ${method} ${request.path}`,
      ],
    };
  }
  const errors: string[] = [];
  const declared = new Set(route.parameters.filter((p) => p.in === "query").map((p) => p.name));
  for (const name of request.query.keys())
    if (!declared.has(name))
      errors.push(`query parameter "${name}" is not declared for ${route.operation.operationId}`);

  const content = route.operation.requestBody?.content;
  const hasBody = request.body !== undefined && request.body !== null && request.body !== "";
  if (hasBody) {
    const schemaPointer = content?.["application/json"]?.schema;
    if (!schemaPointer) errors.push(`${route.operation.operationId} takes no JSON body`);
    else {
      const key = `${route.template} ${route.method}`;
      let validate = validators.get(key);
      if (!validate) {
        const pointer = `github#/paths/${escapePointer(route.template)}/${route.method.toLowerCase()}/requestBody/content/application~1json/schema`;
        try {
          validate = ajv.compile({ $ref: pointer });
        } catch (error) {
          return {
            ok: false,
            errors: [`cannot compile the schema of ${route.operation.operationId}: ${(error as Error).message}`],
          };
        }
        validators.set(key, validate);
      }
      if (!validate(request.body)) {
        for (const e of validate.errors ?? [])
          errors.push(
            `body${e.instancePath || ""} ${e.message ?? "is invalid"} ${e.params ? JSON.stringify(e.params) : ""}`.trim(),
          );
      }
    }
  } else if (route.operation.requestBody?.required) {
    errors.push(`${route.operation.operationId} requires a body`);
  }
  return errors.length
    ? { ok: false, errors }
    : { ok: true, match: { operationId: route.operation.operationId, template: route.template } };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
