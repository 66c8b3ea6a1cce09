import pkg from "../../package.json" with { type: "json" };

/** The package version, inlined at build time (tsc copies the JSON; the bundle embeds it). */
export const VERSION: string = pkg.version;
