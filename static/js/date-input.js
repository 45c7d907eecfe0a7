// A date field says its date in Vietnamese words under it: "Thứ tư, ngày 4 tháng 3 năm 2026". The browser draws
// <input type="date"> in its own language's order, so a browser set to English shows 03/04/2026 for 4 March and
// a reader who writes day first types a deadline a month off without seeing it; the line under the field, in the
// page's language whatever the browser's, makes the date chosen unmistakable. A datetime-local field adds its
// time ("…, lúc 08:30"). The line is drawn for every such field of the page, for those a form adds later (a
// series' new part) too, and follows the field as it changes; an empty field has an empty line (hidden by CSS).
// The native field stays what is read, sent and announced; the line is a reading aid, so it is not announced
// again. Without JavaScript the native field shows alone, as before.
(function () {
  "use strict";
  var WEEKDAYS = ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"];
  var FIELDS = 'input[type="date"], input[type="datetime-local"]';

  // "2026-03-04" or "2026-03-04T08:30" -> "Thứ tư, ngày 4 tháng 3 năm 2026[, lúc 08:30]"; "" for anything else
  function inWords(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(value || "");
    if (!m) return "";
    var year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
    var date = new Date(year, month - 1, day);  // local midnight: the weekday of the calendar date itself
    if (date.getMonth() !== month - 1) return "";
    var words = WEEKDAYS[date.getDay()] + ", ngày " + day + " tháng " + month + " năm " + year;
    return m[4] ? words + ", lúc " + m[4] : words;
  }

  function echoOf(input) {
    var next = input.nextElementSibling;
    if (next && next.classList.contains("date-echo")) return next;
    var echo = document.createElement("span");
    echo.className = "date-echo";
    echo.setAttribute("aria-hidden", "true");
    input.insertAdjacentElement("afterend", echo);
    return echo;
  }

  function show(input) {
    var echo = echoOf(input), words = inWords(input.value);
    if (echo.textContent !== words) echo.textContent = words;
  }

  function showAll(root) {
    if (root.matches && root.matches(FIELDS)) show(root);
    if (root.querySelectorAll) Array.prototype.forEach.call(root.querySelectorAll(FIELDS), show);
  }

  function follow(event) {
    if (event.target.matches && event.target.matches(FIELDS)) show(event.target);
  }

  document.addEventListener("input", follow);
  document.addEventListener("change", follow);
  // a form's reset puts the values back after the event: read them once it has
  document.addEventListener("reset", function (event) { setTimeout(function () { showAll(event.target); }, 0); });
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      Array.prototype.forEach.call(change.addedNodes, function (node) {
        if (node.nodeType === 1 && !node.classList.contains("date-echo")) showAll(node);
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
  showAll(document);
})();
