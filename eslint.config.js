import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Type-aware lint (typescript-eslint's recommendedTypeChecked) over every TypeScript file the
// project's tsconfig.json covers; plain JavaScript files get the untyped rules only.
export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "action/dist/", "cli/dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // Tests: vitest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any`,
    // and fakes implement async interfaces with synchronous bodies.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/require-await": "off",
    },
  },
  { files: ["**/*.js", "**/*.mjs", "**/*.cjs"], ...tseslint.configs.disableTypeChecked },
);
