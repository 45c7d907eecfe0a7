// The score sheet's running total, worked out as judging/ranking.py sheet_total does: scores clamped to [0, max],
// the non-bonus criteria weighted and scaled to their plain total, bonus points added as they are. What is not a
// number yet counts as 0. The server works the total out again and checks every score when the sheet is saved.
(function () {
  "use strict";
  var form = document.querySelector("form[data-sheet]");
  if (!form) return;
  var out = form.querySelector("output[data-total]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-code]"));

  function number(text) {
    var clean = String(text || "").trim().replace(/\s/g, "");
    if (clean.indexOf(",") >= 0 && clean.indexOf(".") < 0) clean = clean.replace(",", ".");
    var value = clean === "" ? NaN : Number(clean);
    return isFinite(value) ? value : 0;
  }

  function total() {
    var regular = inputs.filter(function (i) { return !i.hasAttribute("data-bonus"); });
    var weights = regular.map(function (i) { return number(i.getAttribute("data-weight") || "1"); });
    if (weights.every(function (w) { return w === 0; })) weights = weights.map(function () { return 1; });
    var plain = 0, weightedMax = 0, weighted = 0, sum = 0;
    regular.forEach(function (input, k) {
      var high = number(input.getAttribute("data-max"));
      var value = Math.min(Math.max(number(input.value), 0), high);
      plain += high; weightedMax += weights[k] * high; weighted += weights[k] * value;
    });
    sum = weightedMax ? weighted * plain / weightedMax : 0;
    inputs.forEach(function (input) {
      if (input.hasAttribute("data-bonus")) {
        sum += Math.min(Math.max(number(input.value), 0), number(input.getAttribute("data-max")));
      }
    });
    return Math.round(sum * 100) / 100;
  }

  // A score the server would refuse (not a number, below 0, above the maximum) is marked at once, and the
  // total says it does not count it, instead of quietly capping it.
  var warning = document.createElement("p");
  warning.className = "error-text";
  warning.setAttribute("aria-live", "polite");
  out.parentNode.insertAdjacentElement("afterend", warning);

  function invalid(input) {
    var text = String(input.value || "").trim();
    if (text === "") return false;
    var clean = text.replace(/\s/g, "");
    if (clean.indexOf(",") >= 0 && clean.indexOf(".") < 0) clean = clean.replace(",", ".");
    var value = Number(clean);
    return !isFinite(value) || value < 0 || value > number(input.getAttribute("data-max"));
  }

  function show() {
    out.value = total().toLocaleString("vi-VN", { maximumFractionDigits: 2 });
    var wrong = inputs.filter(invalid);
    inputs.forEach(function (input) {
      if (invalid(input)) input.setAttribute("aria-invalid", "true");
      else if (!input.closest(".has-error")) input.removeAttribute("aria-invalid");
    });
    warning.textContent = wrong.length ? wrong.length + " điểm chưa hợp lệ (phải là số từ 0 đến điểm tối đa); tổng tạm tính chưa chính xác cho đến khi sửa." : "";
  }

  form.addEventListener("input", show);
  show();
})();
