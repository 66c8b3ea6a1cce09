import type { FormProblem } from "../../record/schema.js";
import { accountIdProblem } from "../../request/account-id.js";
import { deviceIdProblem, deviceKey, MAX_DEVICES } from "../../request/device-id.js";
import { formatCharacter, revealFormatCharacters } from "../../request/identifier-text.js";
import { escapeText } from "../render/markdown.js";
import { CIDR_EXAMPLES, checkCidr } from "./cidr.js";
import { FIELD, FIELD_LABELS, type FieldId } from "./form.js";

export { MAX_DEVICES };
export const MAX_NETWORK_PATHS = 100;
/** Problems listed per field; the rest are counted, so a pasted spreadsheet cannot flood the comment. */
const MAX_LISTED = 10;

function label(id: FieldId): string {
  return `**${FIELD_LABELS[id]}**`;
}

/**
 * User input quoted in a message: Markdown-literal, one line, bounded (messages are rendered),
 * and every invisible or direction character shown as its code point rather than acting.
 */
export function excerpt(value: string, max = 80): string {
  return escapeText(revealFormatCharacters(value), max);
}

export function validateText(
  value: string | undefined,
  id: FieldId,
  options: { maxLength: number; singleLine?: boolean },
  problems: FormProblem[],
): string | undefined {
  if (!value) {
    problems.push({ field: id, message: `${label(id)} is missing: fill it in by editing the issue` });
    return undefined;
  }
  if (value.length > options.maxLength) {
    problems.push({
      field: id,
      message: `${label(id)} is too long (${value.length} characters, at most ${options.maxLength})`,
    });
    return undefined;
  }
  if (options.singleLine && value.includes("\n")) {
    problems.push({ field: id, message: `${label(id)} must be a single line` });
    return undefined;
  }
  return value;
}

export function validateContact(value: string | undefined, problems: FormProblem[]): string | undefined {
  const contact = validateText(value, FIELD.contact, { maxLength: 200, singleLine: true }, problems);
  // A reachable person is the point of the field; the shape check is deliberately loose.
  if (contact && !/[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+/.test(contact)) {
    problems.push({
      field: FIELD.contact,
      message: `${label(FIELD.contact)} needs an e-mail address (for example "Jane Doe <jane.doe@example.com>")`,
    });
    return undefined;
  }
  return contact;
}

/**
 * The organization's name: free text on one line, but without invisible or direction characters
 * (Unicode Cf), which would let the name shown to reviewers differ from the name as stored.
 */
export function validateOrganization(value: string | undefined, problems: FormProblem[]): string | undefined {
  const name = validateText(value, FIELD.organization, { maxLength: 200, singleLine: true }, problems);
  const hidden = name === undefined ? undefined : formatCharacter(name);
  if (hidden) {
    problems.push({
      field: FIELD.organization,
      message: `${label(FIELD.organization)} contains an invisible or direction-changing character (${hidden}); type the name again rather than pasting it`,
    });
    return undefined;
  }
  return name;
}

/** The OneRecord account id: the token's `account` claim, so an id by rule, never prose. */
export function validateAccountId(value: string | undefined, problems: FormProblem[]): string | undefined {
  const id = validateText(value, FIELD.accountId, { maxLength: 200, singleLine: true }, problems);
  if (id === undefined) return undefined;
  const problem = accountIdProblem(id);
  if (problem) {
    problems.push({
      field: FIELD.accountId,
      message: `${label(FIELD.accountId)}: "${excerpt(id)}" is not an account id: ${problem}`,
    });
    return undefined;
  }
  return id;
}

/** One device id a line; blank lines are skipped. Ids follow the shared device-id rule. */
export function validateDevices(value: string | undefined, problems: FormProblem[]): string[] | undefined {
  if (!value) {
    problems.push({
      field: FIELD.devices,
      message: `${label(FIELD.devices)}: no devices listed; write one device id a line`,
    });
    return undefined;
  }
  const local: string[] = [];
  const devices: string[] = [];
  const firstLine = new Map<string, number>();
  const lines = value.split("\n");
  lines.forEach((raw, i) => {
    const id = raw.trim();
    if (!id) return;
    const line = i + 1;
    const problem = deviceIdProblem(id);
    if (problem) {
      local.push(`line ${line}: "${excerpt(id)}" is not a valid device id: ${problem}`);
      return;
    }
    const key = deviceKey(id);
    const seen = firstLine.get(key);
    if (seen !== undefined) {
      local.push(
        `line ${line}: "${excerpt(id)}" is listed twice (first on line ${seen}; device ids compare case-insensitively)`,
      );
      return;
    }
    firstLine.set(key, line);
    devices.push(id);
  });
  if (local.length === 0 && devices.length === 0) local.push("no devices listed; write one device id a line");
  if (devices.length > MAX_DEVICES)
    local.push(
      `${devices.length} devices listed; one request covers at most ${MAX_DEVICES} (split the fleet into several requests)`,
    );
  pushListed(problems, FIELD.devices, local);
  return local.length ? undefined : devices;
}

export function validateNetworkPaths(value: string | undefined, problems: FormProblem[]): string[] | undefined {
  if (!value) {
    problems.push({
      field: FIELD.networkPaths,
      message: `${label(FIELD.networkPaths)}: no networks listed; write one CIDR a line (for example ${CIDR_EXAMPLES.ipv4})`,
    });
    return undefined;
  }
  const local: string[] = [];
  const networks: string[] = [];
  const seen = new Map<string, number>();
  value.split("\n").forEach((raw, i) => {
    const text = raw.trim();
    if (!text) return;
    const checked = checkCidr(text);
    if (!checked.ok) {
      local.push(`line ${i + 1}: ${checked.message}`);
      return;
    }
    const first = seen.get(checked.cidr);
    if (first !== undefined) {
      local.push(`line ${i + 1}: ${checked.cidr} is listed twice (first on line ${first})`);
      return;
    }
    seen.set(checked.cidr, i + 1);
    networks.push(checked.cidr);
  });
  if (local.length === 0 && networks.length === 0) local.push("no networks listed; write one CIDR a line");
  if (networks.length > MAX_NETWORK_PATHS)
    local.push(`${networks.length} networks listed; at most ${MAX_NETWORK_PATHS}`);
  pushListed(problems, FIELD.networkPaths, local);
  return local.length ? undefined : networks;
}

function pushListed(problems: FormProblem[], id: FieldId, messages: string[]): void {
  for (const m of messages.slice(0, MAX_LISTED)) problems.push({ field: id, message: `${label(id)}: ${m}` });
  if (messages.length > MAX_LISTED)
    problems.push({ field: id, message: `${label(id)}: ${messages.length - MAX_LISTED} more problems like these` });
}
