/**
 * A page that waits for background work (the worker reading files or ranking themes) looks again
 * after a few seconds: <p data-refresh-after="3">…</p>. It never reloads under the reader's hands —
 * a reload would drop an upload in flight, the message of a refused file, or boxes just ticked — so it
 * gives up as soon as a form on the page or the upload box has been clicked, focused or changed, and
 * says so; the message's own "tải lại ngay" link stays. Without JavaScript the page's
 * <noscript><meta http-equiv="refresh"></noscript> does the same job, with no such care.
 */
(function () {
  "use strict";

  function init() {
    const note = document.querySelector("[data-refresh-after]");
    if (!note) return;
    const seconds = parseFloat(note.dataset.refreshAfter);
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    let touched = false;
    const mark = (event) => {
      if (event.target instanceof Element && event.target.closest("form, [data-upload]")) touched = true;
    };
    // a click or focus counts too: the file picker is open (no event yet) while the reader chooses
    for (const kind of ["input", "change", "click", "focusin"]) document.addEventListener(kind, mark, true);

    function busy() {
      // an upload listed (queued, running, or refused with its message) belongs to upload.js, which
      // reloads by itself once every file is in
      return touched || document.querySelector("[data-upload-list] li") !== null;
    }

    setTimeout(() => {
      if (!busy()) {
        window.awardPage.reload();
        return;
      }
      const why = document.createElement("span");
      why.setAttribute("data-refresh-held", "");
      why.textContent = " Trang không tự tải lại vì anh/chị đang thao tác trên trang.";
      note.appendChild(why);
    }, seconds * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
