// Hints that are true only with JavaScript ("Results update as you type.")
// are hidden in the page and shown here, with the field they describe
// pointing at them.
(() => {
  for (const hint of document.querySelectorAll("[data-js-hint]")) {
    hint.hidden = false;
    const field = document.getElementById(hint.dataset.jsHint);
    if (field) field.setAttribute("aria-describedby", hint.id);
  }
})();
