/** Who an automatic change is attributed to when no person caused it: the app itself. */
export const APP_ACTOR = "onerecord-access";
