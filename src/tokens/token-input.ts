import { readFile, stat } from "node:fs/promises";
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
  try {
    const info = await stat(argument);
    if (!info.isFile()) throw new Error("not a file");
    if (info.size > MAX_INPUT_BYTES) {
      throw new OneRecordError("input-invalid", `the ${options.what} file is ${info.size} bytes; a token file holds at most ${MAX_INPUT_BYTES}`);
    }
    return (await readFile(argument, "utf8")).trim();
  } catch (error) {
    if (error instanceof OneRecordError) throw error;
    throw new OneRecordError("usage", `the ${options.what} argument is neither a compact ${options.what}, "-" (standard input) nor a readable file`);
  }
}

/** A small file named by an option (--key, --jwks, --cert); the message names the option and path. */
export async function readOptionFile(path: string, option: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new OneRecordError("io-error", `${option} ${path}: not a file`);
    if (info.size > MAX_INPUT_BYTES) throw new OneRecordError("input-invalid", `${option} ${path}: ${info.size} bytes is too large for this option (at most ${MAX_INPUT_BYTES})`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof OneRecordError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new OneRecordError("io-error", `${option} ${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : "cannot be read"}`);
  }
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new OneRecordError("input-invalid", `standard input holds more than ${MAX_INPUT_BYTES} bytes; a token is far smaller`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
