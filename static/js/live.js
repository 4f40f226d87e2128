// Live streams (data-hx-sse-connect) that could not connect at all: htmx's SSE
// extension reconnects a stream that broke, but not one whose first
// request failed (its node died just then, or was draining). Try again,
// waiting longer each time, until the stream runs or the page closes it.
// (htmx spells its events with the pages' meta character, "-".)
(() => {
  const attempts = new WeakMap();
  document.addEventListener("htmx-finally-request", (event) => {
    const el = event.target;
    const url = el?.getAttribute?.("data-hx-sse-connect");
    if (!url || el._htmx?.sse || el.dataset.liveClosed === "true") {
      if (url && el._htmx?.sse) attempts.delete(el);
      return;
    }
    const n = (attempts.get(el) ?? 0) + 1;
    attempts.set(el, n);
    const delay = Math.min(500 * 2 ** (n - 1), 30000) * (0.7 + Math.random() * 0.6);
    setTimeout(() => {
      if (el.isConnected && !el._htmx?.sse && el.dataset.liveClosed !== "true") {
        htmx.ajax("GET", url, { source: el });
      }
    }, delay);
  });
})();
