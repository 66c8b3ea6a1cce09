import { readBoundedFile } from "../bounded-file.js";
import {
  MAX_FILE_BYTES,
  summarize,
  validateCertificateBytes,
  validatePaths,
  type ValidatePathsOptions,
  type ValidationReport,
} from "../certificates/index.js";
import { OneRecordError } from "../errors.js";
import { adviseFile } from "./advice.js";
import { joinAdvice, type RefusedFile } from "./join-advice.js";

/** How the report names a certificate read from standard input (`validate -`). */
export const STDIN_PATH = "(standard input)";

export interface Inputs {
  report: ValidationReport;
  advice: Map<string, string[]>;
}

/**
 * The CLI's inputs: files and folders (walked, certificate names only, see validatePaths), and `-`
 * for one certificate file on standard input. Advice is worked out for each refused file.
 */
export async function validateInputs(
  paths: string[],
  options: ValidatePathsOptions & { at: Date },
  readStdin: () => Promise<Buffer> = () => readStdinBytes(),
): Promise<Inputs> {
  if (paths.filter((p) => p === "-").length > 1)
    throw new OneRecordError("usage", 'standard input ("-") can be given once');
  const stdin = paths.includes("-") ? await readStdin() : undefined;
  const named = paths.filter((p) => p !== "-");
  const fromFiles =
    named.length > 0 ? await validatePaths(named, { ...options, certificateNamesOnly: true }) : undefined;
  const fromStdin = stdin
    ? validateCertificateBytes(stdin, {
        path: STDIN_PATH,
        trust: options.trust,
        at: options.at,
        warnDays: options.warnDays,
      })
    : undefined;
  const files = [...(fromFiles?.files ?? []), ...(fromStdin ? [fromStdin] : [])];
  const report: ValidationReport = { ...summarize(files), skipped: fromFiles?.skipped ?? [] };

  const advice = new Map<string, string[]>();
  const refused: RefusedFile[] = [];
  for (const file of report.files) {
    if (file.verdict === "valid") continue;
    const bytes = file.path === STDIN_PATH ? stdin : readForAdvice(file.path);
    refused.push({ report: file, bytes });
    const lines = adviseFile({ report: file, bytes, pattern: options.pattern, onDisk: file.path !== STDIN_PATH });
    if (lines.length > 0) advice.set(file.path, lines);
  }
  // Files that hold one certificate each and together a chain: join them (join-advice.ts).
  const onDisk = refused.filter((f) => f.report.path !== STDIN_PATH);
  const judge = (bytes: Uint8Array) =>
    validateCertificateBytes(bytes, {
      path: "joined",
      trust: options.trust,
      at: options.at,
      warnDays: options.warnDays,
    });
  for (const [path, line] of joinAdvice(onDisk, judge)) advice.set(path, [...(advice.get(path) ?? []), line]);
  return { report, advice };
}

/**
 * A second, best-effort read of a refused file, for advice only; what is no regular file (a FIFO,
 * /dev/zero behind a link), too large or unreadable gets no advice, and is never waited on.
 */
function readForAdvice(path: string): Uint8Array | undefined {
  const read = readBoundedFile(path, MAX_FILE_BYTES);
  return read.ok ? read.bytes : undefined;
}

/** Standard input as bytes (a DER certificate is binary), at most one certificate file's size. */
export async function readStdinBytes(stream: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_FILE_BYTES)
      throw new OneRecordError(
        "input-invalid",
        `standard input holds more than ${MAX_FILE_BYTES} bytes; a certificate file is at most that`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
