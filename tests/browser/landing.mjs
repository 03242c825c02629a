// The landing page in a real browser: a practice signs up and creates a link through the
// API, then headless Chromium opens the link (desktop → landing page), types a mobile number
// as people do, submits, and must see "Check your phone"; moto must hold exactly the SMS
// with the link. Run by scripts/browser-test.sh (which starts the dev server).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const APP_URL = must("APP_URL");
const MOTO_URL = must("MOTO_URL");

function must(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

async function api(method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(APP_URL + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, text };
}

async function moto() {
  const res = await fetch(`${MOTO_URL}/moto-api/data.json`);
  check(res.ok, `moto answered ${res.status}`);
  return res.json();
}

async function emailedCode(address) {
  const data = await moto();
  const mails = (data.ses?.Message ?? []).filter((m) =>
    (m.destinations?.ToAddresses ?? []).includes(address),
  );
  const match = mails.at(-1)?.body?.match(/\b(\d{6})\b/);
  check(match, `no code emailed to ${address}`);
  return match[1];
}

async function smsTo(e164) {
  const data = await moto();
  return (data.sns?.SMS ?? []).filter((m) => m.phone_number === e164).map((m) => m.message);
}

async function signUpPractice(name) {
  const email = `owner.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
  const started = await api("POST", "/v1/orgs", {
    practice_name: name,
    owner_name: "Dr. Ruiz",
    owner_email: email,
  });
  check(started.status === 202, `POST /v1/orgs → ${started.status} ${started.text}`);
  const code = await emailedCode(email);
  const verified = await api("POST", "/v1/auth/verify", {
    challenge_id: started.json.challenge_id,
    code,
  });
  check(verified.status === 200, `verify → ${verified.status} ${verified.text}`);
  return verified.json.token;
}

const practice = "Elm Street Clinic";
const token = await signUpPractice(practice);
const created = await api("POST", "/v1/links", { label: "Front desk" }, token);
check(created.status === 201, `POST /v1/links → ${created.status} ${created.text}`);
const { url, code } = created.json;
console.log(`link ${code}: ${url}`);

// A fresh, valid US mobile number, typed the way people type it.
const exchange = 200 + Math.floor(Math.random() * 800);
const line = String(Math.floor(Math.random() * 10000)).padStart(4, "0");
const e164 = `+1202${exchange}${line}`;
const typed = `(202) ${exchange}-${line}`;

mkdirSync("artifacts", { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "canopy-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(String(err)));

  const response = await page.goto(url, { waitUntil: "load" });
  check(response.status() === 200, `GET ${url} → ${response.status()}`);
  const headers = response.headers();
  check(headers["referrer-policy"] === "no-referrer", "Referrer-Policy");
  check(headers["content-security-policy"]?.startsWith("default-src 'none'"), "CSP");
  check((await page.locator("h1").innerText()).includes(practice), "the page names the practice");
  check((await page.content()).includes("Front desk"), "the page names the link");
  check((await page.getAttribute("html", "lang")) === "en", "lang");
  // The inline stylesheet is allowed by the CSP hash (a blocked style leaves the default look).
  const buttonColour = await page
    .locator("button[type=submit]")
    .evaluate((b) => getComputedStyle(b).backgroundColor);
  check(buttonColour === "rgb(29, 92, 58)", `styled button (got ${buttonColour})`);

  await page.getByLabel("Mobile number").fill(typed);
  await page.screenshot({ path: "artifacts/landing-form.png", fullPage: true });
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.getByRole("button", { name: "Text me the app" }).click(),
  ]);
  await page.getByText("Check your phone").waitFor({ timeout: 10000 });
  await page.screenshot({ path: "artifacts/landing.png", fullPage: true });

  const texts = await smsTo(e164);
  check(texts.length === 1, `one SMS to the number (got ${JSON.stringify(texts)})`);
  check(texts[0].includes(url) && texts[0].includes(code), `the SMS carries the link: ${texts[0]}`);
  check(!texts[0].includes(practice), "the SMS carries no practice name");
  check(problems.length === 0, `browser console errors (CSP?): ${problems.join(" | ")}`);
  console.log(`landing page OK: confirmation shown, SMS in moto: ${texts[0]}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
