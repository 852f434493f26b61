// Shared helpers: the handbook binary, a built copy of the bundled handbook,
// a Chromium from Debian driven by playwright-core, and a static server.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const repo = resolve(fileURLToPath(import.meta.url), "../../..");
export const bin = process.env.HANDBOOK_BIN || join(repo, "target/debug/handbook");
export const screenshots = join(repo, "browser-tests/screenshots");

/** Temporary folders made by this process, removed when it exits. */
const temporary = [];
process.on("exit", () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder (`PREFIX` + random), removed when the process exits. */
export function tempDir(prefix = "handbook-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** A fresh copy of the bundled handbook's content in a temporary root. */
export function copyHandbook() {
  const root = tempDir();
  cpSync(join(repo, "content"), join(root, "content"), { recursive: true });
  return root;
}

/** Builds the bundled handbook once per process; returns the output folder. */
let built = null;
export function builtSite() {
  if (!built) {
    const root = copyHandbook();
    execFileSync(bin, ["build", "--root", root], { stdio: "pipe" });
    built = join(root, "public");
  }
  return built;
}

/** Every HTML file under a folder. */
export function htmlFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...htmlFiles(path));
    else if (name.endsWith(".html")) out.push(path);
  }
  return out.sort();
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--allow-file-access-from-files",
    ],
  });
}

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml", ".csv": "text/csv", ".bib": "text/plain" };

/** Serves `dir` under `prefix` (e.g. "/handbook/") on a free port. */
export async function staticServer(dir, prefix = "/") {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); return res.end(); }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    if (rel.split("/").includes("..")) { res.writeHead(404); return res.end(); }
    try {
      const body = await readFile(join(dir, rel));
      res.writeHead(200, { "content-type": types[extname(rel)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/html" });
      res.end(await readFile(join(dir, "404.html")).catch(() => "not found"));
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${server.address().port}${prefix}` };
}

/** Starts `handbook serve` on a free port; resolves when it listens. */
export async function serve(root) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(bin, ["serve", "--root", root, "--port", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("serve did not start: " + log)), 30000);
    child.stderr.on("data", (d) => {
      log += d;
      if (log.includes("Serving at")) { clearTimeout(timer); ok(); }
    });
    child.on("exit", (code) => fail(new Error(`serve exited with ${code}: ${log}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/`, log: () => log };
}
