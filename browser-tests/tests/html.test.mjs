// Every generated page passes the Nu HTML Checker with no errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { builtSite, htmlFiles, launch, tempDir } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const vnu = require("vnu-jar");

test("every page is valid HTML (Nu HTML Checker), and so is an entry with a note's preview open", async () => {
  const files = htmlFiles(builtSite());
  // The page as the browser holds it with a preview open, written out.
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(builtSite(), "exercises/joint-sea.html")).href);
    await page.locator("sup.noteref a").first().focus();
    await page.locator("#note-preview").waitFor();
    const dir = tempDir("handbook-dom-");
    const file = join(dir, "joint-sea-with-preview.html");
    writeFileSync(file, "<!DOCTYPE html>\n" + (await page.evaluate(() => document.documentElement.outerHTML)));
    files.push(file);
  } finally {
    await browser.close();
  }
  assert.ok(files.length > 50, `only ${files.length} pages`);
  let output;
  try {
    output = execFileSync("java", ["-jar", vnu, "--errors-only", "--format", "json", ...files], { stdio: "pipe" });
  } catch (e) {
    output = e.stderr.length ? e.stderr : e.stdout;
  }
  const messages = JSON.parse(output.toString() || '{"messages":[]}').messages.filter((m) => m.type === "error");
  const report = messages.slice(0, 20).map((m) => `${m.url.replace(/^.*(public|handbook-dom-[^/]*)\//, "")}:${m.lastLine}: ${m.message}`).join("\n");
  assert.equal(messages.length, 0, report);
});
