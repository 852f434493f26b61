// Every page type passes axe-core with no violations, in light and dark mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { builtSite, launch, staticServer } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");

const pages = [
  "index.html", "mechanisms/index.html", "exercises/joint-sea.html", "declarations/beijing-declaration-2000.html",
  "chronology/index.html", "chronology/2016.html", "sources.html", "tags/index.html", "404.html", "print.html",
  "topics/strategic-context.html", "exercises/index.html", "search.html?q=joint%20sea",
];

for (const scheme of ["light", "dark"]) {
  test(`axe finds no violations (${scheme} mode)`, async () => {
    const site = builtSite();
    // Served under the sub-path of the site's base_url, as on GitHub Pages.
    const { server, url } = await staticServer(site, "/handbook/");
    const browser = await launch();
    try {
      const context = await browser.newContext({ colorScheme: scheme });
      const page = await context.newPage();
      const problems = [];
      const tagPage = (await import("node:fs")).readdirSync(site + "/tags").find((f) => f !== "index.html");
      for (const path of [...pages, "tags/" + tagPage]) {
        await page.goto(url + path);
        await page.addScriptTag({ path: axePath });
        const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
        for (const v of result.violations) {
          problems.push(`${path}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        }
      }
      // With a note's preview open, and with the chronology filtered.
      for (const [path, act] of [
        ["exercises/joint-sea.html", async () => { await page.locator("sup.noteref a").first().focus(); await page.locator("#note-preview").waitFor(); }],
        ["chronology/index.html?kind=exercise&from=2012&to=2016", async () => {}],
      ]) {
        await page.goto(url + path);
        await act();
        await page.addScriptTag({ path: axePath });
        const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
        for (const v of result.violations) {
          problems.push(`${path} (open): ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        }
      }
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
}
