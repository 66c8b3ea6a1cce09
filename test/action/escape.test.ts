import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../action/escape.js";

describe("escapeHtml", () => {
  it("turns an HTML payload into inert text", () => {
    const out = escapeHtml("CN=<img src=x onerror=alert(1)>");
    expect(out).not.toMatch(/[<>]/);
    expect(out).toBe("CN=&#60;img src=x onerror=alert&#40;1&#41;&#62;");
  });

  it("cannot close a table cell or start Markdown code, links, emphasis or math", () => {
    const out = escapeHtml("a | b `c` [d](https://e) *f* _g_ ![h](i) $x$ ~~s~~ # j \\k {l}");
    // What is left once the character references are taken out is plain text.
    expect(out.replace(/&#\d+;/g, "")).not.toMatch(/[|`[\]()*_!$~#\\{}]/);
    expect(out).toContain("&#124;");
    expect(out).toContain("&#96;");
  });

  it("escapes ampersands and quotes, so an entity or an attribute cannot be smuggled in", () => {
    expect(escapeHtml(`&lt; "x" 'y'`)).toBe("&#38;lt; &#34;x&#34; &#39;y&#39;");
  });

  it("keeps a value on one line: a blank line would end the HTML block", () => {
    expect(escapeHtml("a\n\nb\r\nc\u2028d")).toBe("a  b c d");
  });

  it("leaves ordinary text alone", () => {
    expect(escapeHtml("CN=device-1, O=Example Corp., C=US 2026-01-31T12:00:00.000Z AB:CD")).toBe(
      "CN=device-1, O=Example Corp., C=US 2026-01-31T12:00:00.000Z AB:CD",
    );
  });
});
