import * as z from "zod";

/**
 * A renewal reminder the app sent (issue 19, expiry watch; docs/app.md "Expiry watch"): device
 * `device` crossed `threshold` days before its due date `due` (the earlier of its certificate's
 * notAfter and its token's `exp`); 0 means the due date passed (expired). `at` is the sweep's time
 * (the sweep run's completion, as GitHub reported it), `renew` what the renewal is: a renewed
 * certificate, or a new token for the same certificate (its certificate had more than the largest
 * threshold left). Facts: a (device, due, threshold) recorded here is never reminded again, by any
 * instance — the ledger's compare-and-swap is what makes it once.
 */
export const reminderSchema = z.object({
  device: z.string(),
  threshold: z.number().int().min(0).max(3650),
  due: z.string().min(1).max(40),
  at: z.string().min(1).max(40),
  renew: z.enum(["certificate", "token"]),
});
export type Reminder = z.infer<typeof reminderSchema>;
