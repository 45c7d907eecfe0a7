// A file field speaks Vietnamese whatever the browser's language: the native control ("Choose File / No file
// chosen" in an English browser) is hidden from sight but stays the field (focusable, labelled, sent with the
// form, what tests fill), and beside it a button-styled <label for> "Chọn tệp" opens the picker and a status
// line says "Chưa chọn tệp", the chosen file's name or "3 tệp đã chọn". The status is also the field's
// description for a screen reader, and is announced when it changes. Every <input type="file"> of the page is
// dressed so, except one marked data-native-file. Without JavaScript the native control shows, as before.
// The look is static/app.css's ".file-pick" rules.
(function () {
  "use strict";
  var NONE = "Chưa chọn tệp";

  function statusText(input) {
    var files = input.files ? input.files.length : 0;
    if (files === 0) return NONE;
    if (files === 1) return input.files[0].name;
    return files + " tệp đã chọn";
  }

  function dress(input, n) {
    if (input.closest(".file-pick") || input.hasAttribute("data-native-file")) return;
    if (!input.id) input.id = "file-pick-" + n;
    var box = document.createElement("span");
    box.className = "file-pick";
    var button = document.createElement("label");
    button.className = "button secondary file-pick-button";
    button.htmlFor = input.id;
    button.textContent = "Chọn tệp";
    var status = document.createElement("span");
    status.className = "file-pick-status";
    status.id = input.id + "-trang-thai";
    status.setAttribute("aria-live", "polite");
    status.textContent = statusText(input);  // a file the browser kept on going back to the page
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    box.appendChild(button);
    box.appendChild(status);
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(status.id);
    input.setAttribute("aria-describedby", described.join(" "));
  }

  function update(input) {
    var box = input.closest(".file-pick");
    var status = box && box.querySelector(".file-pick-status");
    if (status) status.textContent = statusText(input);
  }

  function dressAll() {
    var inputs = document.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i += 1) dress(inputs[i], i + 1);
  }

  // Capture: the status is written before a widget's own handler empties the field to let the same file be
  // chosen again (static/js/upload.js).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file]")) update(event.target);
  }, true);
  document.addEventListener("reset", function (event) {
    window.setTimeout(function () {  // after the browser has emptied the fields
      var inputs = event.target.querySelectorAll("input[type=file]");
      for (var i = 0; i < inputs.length; i += 1) update(inputs[i]);
    }, 0);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", dressAll);
  else dressAll();
  window.AwardFileInput = { dress: dressAll, statusText: statusText };
})();
