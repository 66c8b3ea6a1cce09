// The demo's one clock, for the processes it starts (the Action bundle, run as a runner runs it):
// loaded with `node --import` (NODE_OPTIONS), it makes `Date` read the GitHub stand-in's clock,
// DEMO_CLOCK (ISO 8601) at the moment the process starts, advancing in real time from there. So
// a token is issued, and a certificate judged, at the same time the stand-in stamps on the
// approval and the merge before it, not at the laptop's time. A demo tool, never shipped.
const start = Date.parse(process.env.DEMO_CLOCK ?? "");
if (Number.isNaN(start)) throw new Error("demo/clock.mjs: DEMO_CLOCK must be an ISO 8601 time");
const RealDate = Date;
const startedAt = RealDate.now();
const now = () => start + (RealDate.now() - startedAt);

globalThis.Date = new Proxy(RealDate, {
  // `new Date()` is now on the demo's clock; `new Date(value)` is that value, as ever.
  construct: (target, args, newTarget) => Reflect.construct(target, args.length ? args : [now()], newTarget),
  // `Date()` called as a function returns the current time as a string.
  apply: () => new RealDate(now()).toString(),
  get: (target, property, receiver) => (property === "now" ? now : Reflect.get(target, property, receiver)),
});
