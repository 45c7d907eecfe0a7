/* The message of the last action (templates/base.html, .alert.flash) stays pinned to the top of the page so
 * that it is seen when the page opens further down; its close button takes it away once read. Without
 * JavaScript the button stays hidden and the message scrolls with the page's top as before. */
(function () {
  "use strict";
  document.querySelectorAll(".alert.flash .flash-close").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const main = document.getElementById("noi-dung");
      button.closest(".alert.flash").remove();
      if (main) main.focus({ preventScroll: true }); // focus was on the button, now gone
    });
  });
})();
