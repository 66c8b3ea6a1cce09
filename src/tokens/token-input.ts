import { NOT_A_FILE, readBoundedFile } from "../bounded-file.js";
import { OneRecordError } from "../errors.js";

const MAX_INPUT_BYTES = 64 * 1024;

/**
 * The CLI's token argument: the token itself, `-` for standard input, or a file holding it. The
 * argument is never quoted back in an error, since a mistyped argument may be most of a token.
 */
export async function readTokenArgument(
  argument: string,
  options: { what: string; looksLikeToken: (text: string) => boolean; readStdin: () => Promise<string> },
): Promise<string> {
  if (argument === "-") return (await options.readStdin()).trim();
  if (options.looksLikeToken(argument.trim())) return argument.trim();
  const read = readBoundedFile(argument, MAX_INPUT_BYTES);
  if (read.ok) return read.bytes.toString("utf8").trim();
  if (read.reason === "too-large")
    throw new OneRecordError(
      "input-invalid",
      `the ${options.what} file is ${read.size} bytes or more; a token file holds at most ${MAX_INPUT_BYTES}`,
    );
  throw new OneRecordError(
    "usage",
    `the ${options.what} argument is neither a compact ${options.what}, "-" (standard input) nor a readable file`,
  );
}

/**
 * A small file named by an option (--key, --jwks, --cert, --config). People pass the contents
 * instead of the path (`--key "$(cat dev.key)"`), so the value is named in a message only when it
 * looks like a path; otherwise the message would print the key or token it holds.
 */
// Async by contract (its callers await it), though the bounded read is synchronous.
// eslint-disable-next-line @typescript-eslint/require-await
export async function readOptionFile(path: string, option: string): Promise<Buffer> {
  const subject = optionSubject(option, path);
  const read = readBoundedFile(path, MAX_INPUT_BYTES);
  if (read.ok) return read.bytes;
  if (read.reason === "not-a-file") throw new OneRecordError("io-error", `${subject}: ${NOT_A_FILE}`);
  if (read.reason === "too-large")
    throw new OneRecordError(
      "input-invalid",
      `${subject}: ${read.size} bytes is too large for this option (at most ${MAX_INPUT_BYTES})`,
    );
  const code = read.code;
  const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : "cannot be read";
  // An unshown value that is no file is almost always the file's contents given by mistake.
  const hint = isShowableOptionValue(path) ? "" : `; ${option} takes the path of a file, not its contents`;
  throw new OneRecordError("io-error", `${subject}: ${reason}${hint}`);
}

const MAX_SHOWN_LENGTH = 200;
// Control and bidi-override characters could rewrite the terminal line the message lands on.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
// Three or more dot-separated base64url segments: a compact JWS (3) or JWE (5), whole or cut.
const COMPACT_SHAPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2,}$/;
// base64url of `{"`: the start of any JOSE header, so also a fragment of a token.
const JOSE_HEADER = /eyJ[A-Za-z0-9_-]{8,}/;
// A long unbroken base64 run is key material (a JWK "d", a PEM body line), not a file name.
const BASE64_RUN = /[A-Za-z0-9+=_-]{40,}/;

/**
 * Whether an option value may appear in a message: a short, single-line value that looks like a
 * file path and like none of the shapes key or token material takes. Refusing a real but odd path
 * only costs the user its echo; accepting a secret would print it.
 */
export function isShowableOptionValue(value: string, maxLength = MAX_SHOWN_LENGTH): boolean {
  if (value.length === 0 || value.length > maxLength) return false;
  if (UNSAFE_CHARACTERS.test(value)) return false;
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return false;
  if (value.includes("-----BEGIN") || value.includes("-----END")) return false;
  return !COMPACT_SHAPE.test(trimmed) && !JOSE_HEADER.test(value) && !BASE64_RUN.test(value);
}

/** How a message names an option's value: the value itself when safe, else only the option. */
export function optionSubject(option: string, value: string): string {
  return isShowableOptionValue(value)
    ? `${option} ${value}`
    : `the ${option} value (not shown: it does not look like a file path)`;
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES)
      throw new OneRecordError(
        "input-invalid",
        `standard input holds more than ${MAX_INPUT_BYTES} bytes; a token is far smaller`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
