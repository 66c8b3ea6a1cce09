import { RUN_CLI } from "./program.js";

/** `onerecord-access validate --help`. */
export const VALIDATE_USAGE = `usage: ${RUN_CLI} validate [--json] [--at ISO-8601] [--trust ROOT.pem]... [--warn-days N] [--config FILE] PATH...

Checks device certificate files against the approved CAs, as the pull request check will.
PATH is a certificate file (PEM, leaf first then its intermediates, or DER), a folder (walked;
files not named .pem/.crt/.cer/.der/.p7b/.p7c are listed as skipped, after a private-key scan),
or - for one certificate file on standard input.

options:
  --json            machine-readable report
  --at TIME         validate at this ISO-8601 time instead of now
  --trust ROOT.pem  also trust the CA certificates of this file (repeatable)
  --warn-days N     warn when a certificate expires within N days (default 30)
  --config FILE     read certificates.extraCAs, warnDays and pathPattern from this file
  -h, --help        this help

exit codes: 0 every certificate is valid, 1 any is invalid (or none was found), 2 usage, an
option file that cannot be read, or a broken configuration
`;
