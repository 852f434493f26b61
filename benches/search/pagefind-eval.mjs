// The Pagefind side of the search evaluation in benches/README.md: opens a
// site that Pagefind has indexed (`pagefind_extended --site SITE --glob …`)
// in Chromium, through a local server, runs each query the way Pagefind's
// own UI does (search, then the data of the first 8 results), and prints the
// bytes each query transferred, the titles found, and whether Pagefind
// loads from file://.
//
//   node benches/search/pagefind-eval.mjs SITE [query …]
//
// Needs the browser tests' packages (browser-tests/node_modules).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../browser-tests/", import.meta.url));
const { chromium } = require("playwright-core");
const [site, ...queries] = process.argv.slice(2);
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };
const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/sub\//, "");
  try {
    const body = await readFile(join(site, path || "index.html"));
    res.writeHead(200, { "content-type": types[extname(path)] || "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/sub/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const q of queries.length ? queries : ["exercise", "морского", "Морское", "海上", "联合"]) {
  const page = await browser.newPage();
  let bytes = 0, files = 0;
  await page.goto(base + "index.html");
  page.on("response", async (r) => {
    if (!r.url().includes("/pagefind/")) return;
    try { bytes += (await r.body()).length; files++; } catch {}
  });
  const titles = await page.evaluate(async ({ base, q }) => {
    const pagefind = await import(base + "pagefind/pagefind.js");
    await pagefind.options({ basePath: base + "pagefind/" });
    const found = await pagefind.search(q);
    const data = await Promise.all(found.results.slice(0, 8).map((r) => r.data()));
    return { count: found.results.length, titles: data.map((d) => d.meta.title) };
  }, { base, q });
  await page.waitForTimeout(300);
  console.log(`${q}\t${files} files\t${bytes} bytes\t${titles.count} results\t${titles.titles.slice(0, 3).join(" | ")}`);
  await page.close();
}
// From file://: a module script and fetch from a file:// page are refused.
const page = await browser.newPage();
await page.goto(pathToFileURL(join(site, "index.html")).href);
const fromFile = await page.evaluate(async () => {
  try { await import("./pagefind/pagefind.js"); return "loaded"; } catch (e) { return "refused: " + e.message; }
});
console.log(`file://\t${fromFile}`);
await browser.close();
server.close();
