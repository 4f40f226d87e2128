// The staff orders board, live: a chime and a count in the tab's title for
// each new order (when the staff member has turned that on), and a notice
// when the board's session has ended. htmx refreshes the table itself on
// every "order" event of the board's stream (#board-live).
(() => {
  const live = document.getElementById("board-live");
  if (!live) return;

  let baseTitle = document.title;
  let unseen = 0;
  let audio = null;

  const alertsOn = () => document.getElementById("board-alerts")?.dataset.on === "true";

  // Browsers let a page make sound only after the person has interacted
  // with it: every click or key press (turning alerts on is one) unlocks it.
  const unlock = () => {
    try {
      audio ??= new AudioContext();
      if (audio.state === "suspended") audio.resume();
    } catch (e) {
      audio = null;
    }
  };
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);

  const chime = () => {
    if (!audio || audio.state !== "running") return;
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.25, now + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.18);
      osc.stop(now + i * 0.18 + 0.32);
    }
  };

  const showCount = () => {
    document.title = unseen > 0 ? `(${unseen}) ${baseTitle}` : baseTitle;
  };
  const seen = () => {
    if (document.hidden) return;
    unseen = 0;
    showCount();
  };
  document.addEventListener("visibilitychange", seen);
  window.addEventListener("focus", seen);

  live.addEventListener("order", (event) => {
    let order;
    try {
      order = JSON.parse(event.detail?.data ?? "{}");
    } catch (e) {
      return;
    }
    if (order.kind !== "placed" || !alertsOn()) return;
    chime();
    if (document.hidden || !document.hasFocus()) {
      unseen++;
      showCount();
    }
  });

  // A filter changes the title the count is added to.
  document.addEventListener("htmx-after-swap", () => {
    if (!/^\(\d+\) /.test(document.title)) baseTitle = document.title;
  });

  live.addEventListener("session-ended", () => {
    live.dataset.liveClosed = "true"; // live.js must not reconnect it
    const notice = document.getElementById("board-signed-out");
    const link = document.getElementById("board-sign-in");
    if (link) {
      const next = new URLSearchParams({ next: location.pathname + location.search });
      link.href = link.pathname + "?" + next;
    }
    if (notice) {
      notice.hidden = false;
      notice.tabIndex = -1;
      notice.focus();
    }
  });
})();
