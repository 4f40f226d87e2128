// Forms marked data-upload send their file with XMLHttpRequest, which
// (unlike fetch) reports how much of the body has gone, so a big photo
// shows its progress while it is sent: the form's <progress> fills, and
// its status line says how far it is ("Uploading… 50 %") in quarter
// steps, then "Processing the photo…" while the shop reads it. Without
// JavaScript the form is an ordinary post and the progress stays hidden.
//
// The request says it is an htmx one asking for a whole page, so the shop
// answers a success with HX-Redirect (followed here, and the page there
// shows the shop's message), and anything else (the form again with what
// is wrong, an error page) with a whole page, whose <main> replaces this
// one's. Submitting again while an upload is on its way does nothing.
(() => {
  const sending = (form, percent) => {
    const bar = form.querySelector("progress");
    const status = form.querySelector("[data-upload-status]");
    if (bar) {
      bar.hidden = false;
      bar.value = percent;
    }
    if (!status) return;
    const step = percent >= 100 ? "done" : String(Math.floor(percent / 25) * 25);
    if (status.dataset.step === step) return; // announce quarter steps only
    status.dataset.step = step;
    status.textContent = percent >= 100 ? form.dataset.uploadDone : `${form.dataset.upload} ${step} %`;
  };

  const finished = (form) => {
    form.removeAttribute("aria-busy");
    for (const b of form.querySelectorAll("button")) b.removeAttribute("aria-disabled");
  };

  // show puts the page the shop answered with in place of this one's main.
  const show = (html) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    const main = page.querySelector("main");
    const here = document.querySelector("main");
    if (!main || !here) {
      document.documentElement.replaceWith(document.adoptNode(page.documentElement));
      return;
    }
    document.title = page.title;
    here.replaceWith(document.adoptNode(main));
    window.htmx?.process?.(main);
    const focus = main.querySelector("[autofocus], [aria-invalid=true]") ?? main;
    focus.focus();
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches?.("form[data-upload]")) return;
    // Removing a logo, or sending no file, is an ordinary post.
    if (event.submitter?.name === "remove" || !form.querySelector("input[type=file]")?.files?.length) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    const body = new FormData(form, event.submitter);
    form.setAttribute("aria-busy", "true");
    for (const b of form.querySelectorAll("button")) b.setAttribute("aria-disabled", "true");
    sending(form, 0);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.setRequestHeader("HX-Request-Type", "full");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) sending(form, (e.loaded / e.total) * 100);
    });
    xhr.upload.addEventListener("load", () => sending(form, 100));
    xhr.addEventListener("load", () => {
      const to = xhr.getResponseHeader("HX-Redirect");
      if (to) {
        const next = new URL(to, location.href);
        if (next.pathname === location.pathname && next.search === location.search && next.hash) {
          // Only the fragment differs: assigning would just scroll.
          history.replaceState(null, "", next);
          location.reload();
        } else {
          location.assign(next);
        }
        return;
      }
      finished(form);
      show(xhr.responseText);
    });
    xhr.addEventListener("error", () => {
      finished(form);
      const status = form.querySelector("[data-upload-status]");
      if (status) status.textContent = form.dataset.uploadFailed;
      form.querySelector("progress")?.setAttribute("hidden", "");
    });
    xhr.send(body);
  });
})();
