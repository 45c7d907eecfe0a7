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

// "Quay lại" on an error page after a form was refused (data-history-back): the browser's own back, which
// usually keeps what was typed in the form; without script (or with no page before) the link's own address.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
