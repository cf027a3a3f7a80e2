// Consentry's service worker: keeps the admin console's app shell (index.html and the
// hashed script, WebAssembly, style and icon files it names) so that staff can open the
// console and collect records without a network. It never touches the API (the app keeps
// what it needs in IndexedDB itself) nor the customer-facing pages (/f/, /withdraw,
// /verify, /embed/), which must always come from the server with their own headers.
"use strict";

// Bump the version when this file's caching changes; old caches are deleted on activate.
const CACHE = "consentry-shell-v1";
const SHELL = "/";
const PASS_THROUGH = [/^\/api\//, /^\/f\//, /^\/embed\//, /^\/withdraw/, /^\/verify/,
  /^\/\.well-known\//, /^\/healthz/, /^\/readyz/, /^\/sw\.js$/];

// The same-origin files an entry page names in src="…" or href="…".
function assetsOf(html) {
  const found = new Set();
  const pattern = /(?:src|href)="(\/[^"/][^"]*)"/g;
  let match;
  while ((match = pattern.exec(html)) !== null) {
    found.add(match[1]);
  }
  return [...found];
}

// Caches an entry page and every file it names that is not cached yet, then drops the
// files no longer named (an earlier build's).
async function keepShell(page) {
  const cache = await caches.open(CACHE);
  const html = await page.clone().text();
  const assets = assetsOf(html);
  const missing = [];
  for (const path of assets) {
    if (!(await cache.match(path))) missing.push(path);
  }
  await cache.addAll(missing);
  await cache.put(SHELL, page);
  const keep = new Set([SHELL, ...assets].map((p) => new URL(p, self.location.origin).href));
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

async function precache() {
  const page = await fetch(SHELL, { cache: "no-store", credentials: "same-origin" });
  if (!page.ok) throw new Error("the app shell could not be loaded");
  await keepShell(page);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("consentry-shell-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Pages: the network first (and keep what it gives), the cached shell when offline.
async function page(event) {
  try {
    const response = await fetch(event.request);
    const html = (response.headers.get("content-type") || "").startsWith("text/html");
    if (response.ok && html) event.waitUntil(keepShell(response.clone()).catch(() => {}));
    return response;
  } catch (offline) {
    const cached = await caches.match(SHELL, { cacheName: CACHE });
    return cached || Response.error();
  }
}

// Files: hashed names never change, so the cache first, then the network.
async function asset(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PASS_THROUGH.some((pattern) => pattern.test(url.pathname))) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname === SHELL || url.pathname === "/index.html") {
    return;
  } else {
    event.respondWith(asset(request));
  }
});
