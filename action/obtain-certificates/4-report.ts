import type { ObtainedDevice } from "../../src/acme/obtain-device.js";
import { signObtainedProof, writeObtainedBlock, type ObtainedBlock } from "../../src/record/obtained-comment.js";
import type { SigningKey } from "../../src/tokens/index.js";
import type { RunContext } from "../context.js";
import { createIssueComment, type Octokit } from "../github.js";

/**
 * Step 4: the report posted on the request issue — hidden blocks the app reads (the chains, the
 * ACME orders, the keys as JWEs to the customer's delivery key), each signed with the token key
 * (src/record/obtained-comment.ts), then what the customer does. Several comments when many
 * devices (a comment holds at most 65,536 characters).
 */

export const DEVICES_PER_COMMENT = 8;
/**
 * What a comment may hold, well under GitHub's 65,536 characters: each device takes its chain and
 * its JWE twice (in the block the app reads and in the text the customer copies), which with RSA
 * 3072 keys is several kilobytes.
 */
export const COMMENT_BUDGET = 50_000;

/** The devices split over comments by size (and at most DEVICES_PER_COMMENT each). */
export function commentChunks<T extends { chainPem: string; keyJwe: string }>(devices: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let size = 0;
  for (const d of devices) {
    const cost = d.chainPem.length + 2 * d.keyJwe.length + 600;
    const last = chunks.at(-1);
    if (!last || last.length >= DEVICES_PER_COMMENT || size + cost > COMMENT_BUDGET) {
      chunks.push([d]);
      size = 4_000 + cost;
    } else {
      last.push(d);
      size += cost;
    }
  }
  return chunks;
}

export type ReportHeader = Omit<ObtainedBlock, "obtained" | "proof" | "version">;

export async function renderReports(
  header: ReportHeader,
  obtained: readonly ObtainedDevice[],
  key: SigningKey,
): Promise<string[]> {
  const bodies: string[] = [];
  for (const devices of commentChunks(obtained)) {
    const content = {
      version: 1 as const,
      ...header,
      obtained: devices.map(({ device, path, identifier, orderUrl, x5tS256, chainPem, keyJwe }) => ({
        device,
        path,
        identifier,
        orderUrl,
        x5tS256,
        chainPem,
        keyJwe,
      })),
    };
    const block = { ...content, proof: await signObtainedProof(content, key) };
    bodies.push(`${writeObtainedBlock(block)}\n\n${humanText(header.request, devices)}`);
  }
  return bodies;
}

function humanText(request: number, devices: readonly ObtainedDevice[]): string {
  const keys = devices
    .map((d) => `**\`${d.device}\`** (\`${d.identifier}\`):\n\n\`\`\`\n${d.keyJwe}\n\`\`\``)
    .join("\n\n");
  return [
    `### Certificates obtained for you (option 2)`,
    "",
    `OneRecord obtained a client certificate for ${devices.length} device(s) of request #${request}. The app opens a pull request that commits the certificates; once it is checked and merged, the devices go on to tokens as usual.`,
    "",
    "Each device's **private key** is below, encrypted to the delivery public key of your request: only your `delivery.key` opens it. Save each one to a file and run",
    "",
    "```",
    "node cli/dist/onerecord-access.js decrypt-key --key delivery.key --out DEVICE.key --cert certificates/<n>/DEVICE.pem DEVICE.jwe",
    "```",
    "",
    "(the key is written with mode 0600 and never printed). When you have them all, comment `/keys-received`: the app removes this comment. It removes it anyway after the configured number of days.",
    "",
    keys,
  ].join("\n");
}

/** The comments posted in order; their addresses. A part that cannot be posted stops the run with GitHub's error. */
export async function postReports(
  octokit: Octokit,
  context: RunContext,
  request: number,
  bodies: readonly string[],
): Promise<string[]> {
  const urls: string[] = [];
  for (const body of bodies) urls.push((await createIssueComment(octokit, context, request, body)).url);
  return urls;
}
