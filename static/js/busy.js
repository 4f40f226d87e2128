// Forms marked data-busy show that their htmx request is on its way, from
// the click until the answer, also while it waits in a queue behind
// another form's: the form is aria-busy, its buttons aria-disabled (not
// disabled, so focus stays on the button that was pressed), its status
// line says data-busy (e.g. "Adding…"), and submitting it again meanwhile
// does nothing, so a double click adds once.
// (htmx spells its events with the pages' meta character, "-".)
(() => {
  const busyForm = (el) => el?.closest?.("form[data-busy]");

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches?.("form[data-busy]") && form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      event.stopImmediatePropagation(); // before htmx's own listener on the form
    }
  }, true);

  document.addEventListener("htmx-config-request", (event) => {
    const form = busyForm(event.target);
    if (!form) return;
    form.setAttribute("aria-busy", "true");
    for (const b of form.querySelectorAll("button")) b.setAttribute("aria-disabled", "true");
    const status = form.querySelector("[role=status]");
    if (status && form.dataset.busy) status.textContent = form.dataset.busy;
  });

  document.addEventListener("htmx-finally-request", (event) => {
    const form = busyForm(event.target);
    if (!form) return;
    form.removeAttribute("aria-busy");
    for (const b of form.querySelectorAll("button")) b.removeAttribute("aria-disabled");
  });
})();
