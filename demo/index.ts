import { runStory } from "./story.js";

/**
 * `npm run demo`: the real app on the tests' OpenAPI-checked GitHub stand-in, one request from
 * intake to live, then one HTML page of the issue thread. No GitHub App, no network.
 */
const result = await runStory((line) => console.log(`• ${line}`));
await result.s.gh.close();
result.s.stop();
