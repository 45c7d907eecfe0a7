// A form sent back with errors shows them where the person looks: the page opens scrolled to the first error
// block of a refused form (data-form-error; else the first field marked wrong), which takes the focus so a screen
// reader reads it. On a phone the form may sit below a long list (the unit's judges above "Mời giám khảo"):
// without this the error stayed below the fold and the page seemed to do nothing.
(function () {
  "use strict";
  function show() {
    var target = document.querySelector("main [data-form-error]");
    if (!target) {
      var field = document.querySelector("main .field.has-error");
      target = field && field.querySelector("input, select, textarea");
    }
    if (!target) return;
    var box = target.getBoundingClientRect();
    var flash = document.querySelector(".alert.flash");
    var top = flash ? flash.getBoundingClientRect().height : 0;
    var inView = box.top >= top && box.bottom <= window.innerHeight;
    if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|A|BUTTON)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    if (!inView) {
      target.scrollIntoView({ block: "start" });
      if (top) window.scrollBy(0, -top - 8);  // not under the sticky flash
    }
    target.focus({ preventScroll: true });
  }
  // after "load": the browser's own scroll to the form's anchor (action="…#moi-giam-khao") is done by then
  if (document.readyState === "complete") show();
  else window.addEventListener("load", show);
})();
