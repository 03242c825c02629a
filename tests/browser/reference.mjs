// The API reference page in a real browser: headless Chromium opens the dev server's /docs
// (Swagger UI from node_modules, no CDN), and every operation of the contract must be
// listed; then "Try it out" runs one public operation against the dev server itself and
// must show the server's answer. Run by scripts/browser-test.sh (which starts the dev server).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const APP_URL = must("APP_URL");

function must(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

// The operations the page must list, from the document the page itself loads.
const res = await fetch(`${APP_URL}/openapi.json`);
check(res.ok, `GET /openapi.json → ${res.status}`);
const doc = await res.json();
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const expected = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of methods) {
    if (item[method]) expected.push(`${method.toUpperCase()} ${path}`);
  }
}
check(expected.length > 0, "the document lists operations");
const yaml = await fetch(`${APP_URL}/openapi.yaml`);
check(yaml.ok && (await yaml.text()).includes("openapi: 3."), "GET /openapi.yaml serves the contract");

mkdirSync("artifacts", { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium" });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const external = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol !== "data:") external.push(r.url());
  });
  await page.goto(`${APP_URL}/docs`, { waitUntil: "load" });
  await page.waitForSelector(".opblock", { timeout: 30000 });
  const listed = await page.$$eval(".opblock", (blocks) =>
    blocks.map((b) => {
      const method = b.querySelector(".opblock-summary-method")?.textContent?.trim() ?? "";
      const path = b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "";
      return `${method.toUpperCase()} ${path}`;
    }),
  );
  const missing = expected.filter((op) => !listed.includes(op));
  check(missing.length === 0, `operations missing from the page: ${missing.join(", ")}`);
  console.log(`reference page lists all ${expected.length} operations`);
  await page.screenshot({ path: "artifacts/reference.png", fullPage: false });

  // "Try it out" against the dev server: the public link lookup of a code nobody has.
  const block = page.locator("#operations-links-getPublicLink");
  await block.locator(".opblock-summary").click();
  const tryButton = block.locator("button.try-out__btn");
  if (await tryButton.count()) {
    const label = (await tryButton.textContent()) ?? "";
    if (/try it out/i.test(label)) await tryButton.click();
  }
  await block.locator('input[placeholder="code"]').fill("zzzz-unknown");
  await block.locator("button.execute").click();
  const status = block.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor({ timeout: 15000 });
  const shown = (await status.textContent())?.trim();
  check(shown?.startsWith("404"), `try it out: expected the dev server's 404, got ${shown}`);
  console.log("try it out reached the dev server (404 for an unknown code)");
  await block.screenshot({ path: "artifacts/reference-try-it.png" });
  check(external.length === 0, `the page fetched from outside this machine: ${external.join(", ")}`);
} finally {
  await browser.close();
}
