/* What every page shares (templates/base.html):
 *
 * - The message of the last action (.alert.flash) stays pinned to the top of the page so that it is seen when
 *   the page opens further down; its close button takes it away once read. Without JavaScript the button stays
 *   hidden and the message scrolls with the page's top.
 * - awardPage.reload(), for the scripts that reload the page by themselves (refresh.js while the worker reads
 *   or ranks, upload.js once the files are in). Two things a plain location.reload() got wrong:
 *   a page drawn at a form's address (a refused "Nộp tác phẩm" shows the work's page at /entries/22/submit,
 *   <body data-posted>) reloaded by sending the form again, so an upload there submitted the work; it is
 *   fetched with a GET instead (the server sends a GET of a form's address to the page above it). And the
 *   message of the last action vanished a few seconds after "Đã lưu bản nháp…": it is carried over the
 *   reload, once, and shown again until closed.
 */
(function () {
  "use strict";
  const CARRY = "award.flash-carry";
  const KINDS = ["success", "info", "warning", "error"]; // api/forms.py FLASH_KINDS, the flash's class names

  function closable(flash) {
    const button = flash.querySelector(".flash-close");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const main = document.getElementById("noi-dung");
      flash.remove();
      if (main) main.focus({ preventScroll: true }); // focus was on the button, now gone
    });
  }

  function carried() {
    // the page's own reload a moment ago left its message here: show it again (text only, never markup)
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(CARRY) || "null");
      sessionStorage.removeItem(CARRY);
    } catch (_) { return; }
    if (!saved || Date.now() - saved.at > 15000 || document.querySelector(".alert.flash")) return;
    const main = document.getElementById("noi-dung");
    if (!main) return;
    const flash = document.createElement("div");
    flash.className = `alert flash ${KINDS.includes(saved.kind) ? saved.kind : "info"}`;
    flash.setAttribute("role", saved.kind === "error" ? "alert" : "status");
    const text = document.createElement("p");
    text.textContent = saved.text;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "flash-close";
    button.setAttribute("aria-label", "Đóng thông báo");
    button.title = "Đóng thông báo";
    flash.append(text, button);
    const crumbs = main.querySelector(":scope > nav.crumbs");
    main.insertBefore(flash, crumbs ? crumbs.nextSibling : main.firstChild);
  }

  window.awardPage = {
    reload() {
      const flash = document.querySelector(".alert.flash");
      if (flash) {
        const kind = KINDS.find((k) => flash.classList.contains(k)) || "info";
        try {
          sessionStorage.setItem(CARRY, JSON.stringify({ kind, text: flash.querySelector("p").textContent, at: Date.now() }));
        } catch (_) { /* storage off: the message goes with the reload */ }
      }
      if (document.body.hasAttribute("data-posted")) location.replace(location.pathname + location.search);
      else location.reload();
    },
  };

  function init() {
    carried();
    document.querySelectorAll(".alert.flash").forEach(closable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
