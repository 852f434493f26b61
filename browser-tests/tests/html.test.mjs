// Every generated page passes the Nu HTML Checker with no errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { builtSite, htmlFiles } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const vnu = require("vnu-jar");

test("every page is valid HTML (Nu HTML Checker)", () => {
  const files = htmlFiles(builtSite());
  assert.ok(files.length > 50, `only ${files.length} pages`);
  let output;
  try {
    output = execFileSync("java", ["-jar", vnu, "--errors-only", "--format", "json", ...files], { stdio: "pipe" });
  } catch (e) {
    output = e.stderr.length ? e.stderr : e.stdout;
  }
  const messages = JSON.parse(output.toString() || '{"messages":[]}').messages.filter((m) => m.type === "error");
  const report = messages.slice(0, 20).map((m) => `${m.url.replace(/^.*public\//, "")}:${m.lastLine}: ${m.message}`).join("\n");
  assert.equal(messages.length, 0, report);
});
