import type { ObtainedDevice } from "../../src/acme/obtain-device.js";
import { signObtainedProof, writeObtainedBlock, type ObtainedBlock } from "../../src/record/obtained-comment.js";
import type { SigningKey } from "../../src/tokens/index.js";
import type { RunContext } from "../context.js";
import type { Octokit } from "../github.js";

/**
 * Step 4: the report posted on the request issue — hidden blocks the app reads (the chains, the
 * ACME orders, the keys as JWEs to the customer's delivery key), each signed with the token key
 * (src/record/obtained-comment.ts), then what the customer does. Several comments when many
 * devices (a comment holds at most 65,536 characters).
 */

export const DEVICES_PER_COMMENT = 8;

export type ReportHeader = Omit<ObtainedBlock, "obtained" | "proof" | "version">;

export async function renderReports(
  header: ReportHeader,
  obtained: readonly ObtainedDevice[],
  key: SigningKey,
): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < obtained.length; i += DEVICES_PER_COMMENT) {
    const devices = obtained.slice(i, i + DEVICES_PER_COMMENT);
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
    "node cli/dist/onerecord-access.js decrypt-key --key delivery.key --out DEVICE.key DEVICE.jwe",
    "```",
    "",
    "(the key is written with mode 0600 and never printed). When you have them all, comment `/keys-received`: the app removes this comment. It removes it anyway after the configured number of days.",
    "",
    keys,
  ].join("\n");
}

export async function postReports(
  octokit: Octokit,
  context: RunContext,
  request: number,
  bodies: readonly string[],
): Promise<string[]> {
  const urls: string[] = [];
  for (const body of bodies) {
    const { data } = await octokit.rest.issues.createComment({
      owner: context.owner,
      repo: context.repo,
      issue_number: request,
      body,
    });
    urls.push(data.html_url);
  }
  return urls;
}
