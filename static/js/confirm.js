// Irreversible actions ask first: a submit button (or form) with data-confirm="…" shows that question, and the
// form is sent only if the person agrees. Without JavaScript the form is sent as before (the server still checks).
document.addEventListener("submit", function (event) {
  if (event.defaultPrevented) return;  // already held back (static/js/sheet.js: scores flagged invalid)
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
