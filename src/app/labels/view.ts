import type { AccessConfig } from "../../config/schema.js";
import type { AccessRecord } from "../../record/schema.js";
import { outstandingNeeds } from "../state/progress.js";
import { renewalStates } from "../renewal/due.js";

export interface LabelSpec {
  name: string;
  color: string;
  description?: string | undefined;
}

/**
 * The labels a request should carry: a pure view of its record. Exactly one stage label, one
 * `needs:` label per outstanding item, and the hold label while on hold.
 */
export function labelsFor(record: AccessRecord, config: AccessConfig): LabelSpec[] {
  const labels: LabelSpec[] = [config.labels.stages[record.stage]];
  for (const need of outstandingNeeds(record, config.checklist)) labels.push(config.labels.needs[need]);
  if (record.hold && !["rejected", "ended", "live"].includes(record.stage)) labels.push(config.labels.onHold);
  if (renewalStates(record).length) labels.push(config.labels.needs.renewal);
  return labels;
}

/** Every label name the app manages under this config (whatever the stage). */
export function managedLabels(config: AccessConfig): LabelSpec[] {
  return [...Object.values(config.labels.stages), ...Object.values(config.labels.needs), config.labels.onHold];
}

/**
 * The full label set: the view, plus every label people added that the app does not
 * manage (kept as they are). A managed label added or removed by hand is simply put back.
 */
export function desiredLabels(current: readonly string[], record: AccessRecord, config: AccessConfig): string[] {
  const managed = new Set(managedLabels(config).map((l) => l.name.toLowerCase()));
  const foreign = current.filter((name) => !managed.has(name.toLowerCase()));
  return [...foreign, ...labelsFor(record, config).map((l) => l.name)];
}

/** Same set, ignoring order and case (GitHub label names are case-insensitive). */
export function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((n) => n.toLowerCase()))].sort().join("\n");
  return norm(a) === norm(b);
}

/**
 * Managed labels whose colour or description in the repository differs from the config — or
 * that GitHub created on the fly with its default grey when the app first applied them.
 */
export function labelsToFix(
  applied: ReadonlyArray<{ name: string; color?: string | null; description?: string | null }>,
  config: AccessConfig,
): LabelSpec[] {
  const wanted = new Map(managedLabels(config).map((l) => [l.name.toLowerCase(), l]));
  const fixes: LabelSpec[] = [];
  for (const label of applied) {
    const spec = wanted.get(label.name.toLowerCase());
    if (!spec) continue;
    const colourOk = (label.color ?? "").toLowerCase() === spec.color.toLowerCase();
    const descriptionOk = spec.description === undefined || (label.description ?? "") === spec.description;
    if (!colourOk || !descriptionOk) fixes.push(spec);
  }
  return fixes;
}
