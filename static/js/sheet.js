// The score sheet's running total, worked out as judging/ranking.py sheet_total does: the non-bonus criteria
// weighted and scaled to their plain total, bonus points added as they are. What is not a number yet, and a score
// the server would refuse (120 where the maximum is 30), counts as 0 and is flagged next to its field at once, in
// the server's words ("Điểm “…” phải từ 0 đến 30."); never quietly capped. The server checks every score again.
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
      var value = invalid(input) ? 0 : number(input.value);
      plain += high; weightedMax += weights[k] * high; weighted += weights[k] * value;
    });
    sum = weightedMax ? weighted * plain / weightedMax : 0;
    inputs.forEach(function (input) {
      if (input.hasAttribute("data-bonus")) {
        sum += invalid(input) ? 0 : number(input.value);
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

  // The criterion's name as its label gives it, without "(tối đa … điểm)".
  function criterion(input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace(/\s*\(tối đa[^)]*\)\s*$/, "").trim() : "";
  }

  function maxText(input) {
    return number(input.getAttribute("data-max")).toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  }

  // The message under a field: the server's own (e-…) while the value is the one it refused, else ours (js-e-…).
  function flag(input, message) {
    var id = "js-e-" + input.name;
    var own = document.getElementById(id);
    var server = document.getElementById("e-" + input.name);
    if (message) {
      if (!own) {
        own = document.createElement("p");
        own.className = "error-text";
        own.id = id;
        input.insertAdjacentElement("afterend", own);
      }
      own.textContent = message;
      if (server) server.hidden = true;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.closest(".field").classList.add("has-error");
    } else {
      if (own) own.remove();
      if (server && !server.hidden) return;  // the server's refusal stays until the value changes
      if (server) server.remove();
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.closest(".field").classList.remove("has-error");
    }
  }

  function problem(input) {
    if (!invalid(input)) return "";
    var text = String(input.value || "").trim().replace(/\s/g, "");
    if (text.indexOf(",") >= 0 && text.indexOf(".") < 0) text = text.replace(",", ".");
    if (!isFinite(Number(text))) return "Điểm “" + criterion(input) + "” phải là một số.";
    return "Điểm “" + criterion(input) + "” phải từ 0 đến " + maxText(input) + ".";
  }

  function show(event) {
    out.value = total().toLocaleString("vi-VN", { maximumFractionDigits: 2 });
    var wrong = inputs.filter(invalid);
    inputs.forEach(function (input) {
      var server = document.getElementById("e-" + input.name);
      if (server && event && event.target === input) server.hidden = true;  // changed since the server said so
      flag(input, problem(input));
    });
    warning.textContent = wrong.length ? wrong.length + " điểm chưa hợp lệ (xem dưới từng ô); tổng tạm tính chưa cộng các điểm này." : "";
    if (!wrong.length && refusal) { refusal.remove(); refusal = null; }
  }

  // Why "Nộp phiếu" did nothing, said right above the first wrong score: on a phone the total's note is a screen
  // below the field that takes the focus, so a judge saw the field's error but not that the sheet was not sent.
  var refusal = null;
  function refuse(wrong) {
    if (!refusal) {
      refusal = document.createElement("div");
      refusal.className = "alert error";
      refusal.setAttribute("role", "alert");
      refusal.setAttribute("data-sheet-refusal", "");
    }
    refusal.textContent = "Chưa nộp được phiếu chấm: " + wrong.length +
      " điểm chưa hợp lệ (xem dưới từng ô). Vui lòng sửa rồi nộp lại.";
    var field = wrong[0].closest(".field");
    field.parentNode.insertBefore(refusal, field);
    refusal.scrollIntoView({ block: "center" });
    wrong[0].focus({ preventScroll: true });
  }

  // "Nộp phiếu (khóa)" with a score flagged above: not sent, and not asked "lock the sheet?" (static/js/confirm.js)
  // for a sheet the server would refuse; the first wrong field takes the focus, with why just above it.
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.value !== "submit") return;
    var wrong = inputs.filter(invalid);
    if (!wrong.length) return;
    event.preventDefault();
    event.stopPropagation();
    show();
    refuse(wrong);
  });

  form.addEventListener("input", show);
  show();
})();
