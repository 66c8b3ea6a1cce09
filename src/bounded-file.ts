import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

export type BoundedFile =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: "not-a-file" }
  | { ok: false; reason: "too-large"; size: number }
  | { ok: false; reason: "unreadable"; code: string | undefined };

/** What a message says of a path that is no regular file (the caller names the path). */
export const NOT_A_FILE = "not a regular file";

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. It changes
// nothing for a regular file. (Windows has no such flag and no FIFOs to open this way.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const MIN_CHUNK = 16 * 1024;

/**
 * Every read of an input file the user names (a certificate file, a `--trust` root, a
 * `--config`, a key or a JWKS): a regular file of at most `maxBytes`, or why it was not read.
 * Symbolic links are followed by the open itself, and the type and size are asked of the open
 * descriptor, so what is checked is what is read: a FIFO, a device such as /dev/zero, a socket
 * or a folder is refused unread, and no more than `maxBytes + 1` bytes are ever read, so a file
 * that grows past its stated size (or states none, as /proc files do) is refused as too large.
 */
export function readBoundedFile(path: string, maxBytes: number): BoundedFile {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    return { ok: false, reason: "unreadable", code: (error as NodeJS.ErrnoException).code };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: "not-a-file" };
    if (stat.size > maxBytes) return { ok: false, reason: "too-large", size: stat.size };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // The stated size and one byte in the first read, as a rule (the byte tells a file that grew);
      // never more than one byte past the limit. Unzeroed memory is safe here: only the bytes the
      // read filled are kept (subarray below), and zeroing a chunk per file showed in the profile.
      const want = total === 0 && stat.size > 0 ? stat.size + 1 : MIN_CHUNK;
      const chunk = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) return { ok: false, reason: "too-large", size: total };
      // All the stated size, and not the byte past it: the end, so the usual file costs one read,
      // not a second one that returns nothing (a syscall per file, a thousand in a large run). A
      // file stating no size (/proc) or less than it has (sysfs) is read until a read returns 0.
      if (stat.size > 0 && total === stat.size && read < chunk.length) break;
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
  } catch (error) {
    return { ok: false, reason: "unreadable", code: (error as NodeJS.ErrnoException).code };
  } finally {
    closeSync(fd);
  }
}
