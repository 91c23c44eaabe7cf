// SkyRiff service worker: caches the app shell (index.html, hashed build assets, icons, manifest) so
// the installed app opens offline. It never touches the API or any other backend-served page: those
// always go to the network. The version and the precache list of hashed build assets are filled in
// at build time by the `skyriff-sw` plugin in vite.config.ts.
const VERSION = "__SKYRIFF_VERSION__";
const PRECACHE = ["/", "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png"].concat(
  /* __SKYRIFF_PRECACHE__ */ [],
);
const CACHE = `skyriff-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("skyriff-shell-") && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** Paths that belong to the backend (API, docs, sandbox pages, media, the admin console): never cached, never faked. */
function isBackendPath(pathname) {
  return /^\/(api|docs|healthz|readyz|dev|sandbox|admin)(\/|$)/.test(pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isBackendPath(url.pathname)) return;

  if (request.mode === "navigate") {
    // Network first; the cached shell only when offline.
    event.respondWith(
      fetch(request).catch(() => caches.match("/", { cacheName: CACHE }).then((r) => r ?? Response.error())),
    );
    return;
  }

  if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/icons/")) {
    // Hashed, immutable build output: cache first.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then(
          (hit) =>
            hit ??
            fetch(request).then((res) => {
              if (res.ok) cache.put(request, res.clone());
              return res;
            }),
        ),
      ),
    );
  }
});
