// A file field speaks Vietnamese whatever the browser's language: the native control ("Choose File / No file
// chosen" in an English browser) is hidden from sight but stays the field (focusable, labelled, sent with the
// form, what tests fill), and beside it a button-styled <label for> "Chọn tệp" opens the picker and a status
// line says "Chưa chọn tệp", the chosen file's name or "3 tệp đã chọn". The status is also the field's
// description for a screen reader, and is announced when it changes. Every <input type="file"> of the page is
// dressed so, except one marked data-native-file. Without JavaScript the native control shows, as before.
// The look is static/app.css's ".file-pick" rules.
// A field with data-max-bytes (the server's own cap for that form, api/limits.py FILE_CAPS) refuses a larger
// choice at once: the field is emptied (the form cannot send it), and an error under it says "Tệp “x.xlsx” quá
// lớn (7,2 MB), tối đa 5 MB." rather than the server's 413 page after a long upload.
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

  function megabytes(size) {
    var mb = size / (1024 * 1024);
    var text = mb >= 10 || mb === Math.round(mb) ? String(Math.round(mb)) : mb.toFixed(1);
    return text.replace(".", ",") + " MB";
  }

  function tooLarge(input) {
    var max = parseInt(input.getAttribute("data-max-bytes") || "", 10);
    if (!max || !input.files) return null;
    for (var i = 0; i < input.files.length; i += 1) {
      var file = input.files[i];
      if (file.size > max) {
        return "Tệp “" + file.name + "” quá lớn (" + megabytes(file.size) + "), tối đa " + megabytes(max) + ".";
      }
    }
    return null;
  }

  function showRefusal(input, message) {
    var id = input.id + "-qua-lon";
    var old = document.getElementById(id);
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (old) old.parentNode.removeChild(old);
    var field = input.closest(".field");
    if (field) field.classList.toggle("has-error", Boolean(message));
    if (!message) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", described.join(" "));
      return;
    }
    var error = document.createElement("p");
    error.className = "error-text";
    error.id = id;
    error.setAttribute("role", "alert");
    error.textContent = message;
    var box = input.closest(".file-pick") || input;
    box.parentNode.insertBefore(error, box.nextSibling);
    described.unshift(id);
    input.setAttribute("aria-describedby", described.join(" "));
    input.setAttribute("aria-invalid", "true");
  }

  function update(input) {
    var refusal = tooLarge(input);
    if (refusal) input.value = "";  // the form cannot send it
    showRefusal(input, refusal);
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
  // A refused file was taken out of the field; a form whose field still holds one too large (a file the
  // browser kept on going back) is not sent.
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    for (var i = 0; i < inputs.length; i += 1) {
      if (tooLarge(inputs[i])) {
        event.preventDefault();
        update(inputs[i]);  // refuses it as on choosing
        inputs[i].focus();
        return;
      }
    }
  }, true);
  document.addEventListener("reset", function (event) {
    window.setTimeout(function () {  // after the browser has emptied the fields
      var inputs = event.target.querySelectorAll("input[type=file]");
      for (var i = 0; i < inputs.length; i += 1) update(inputs[i]);
    }, 0);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", dressAll);
  else dressAll();
  window.AwardFileInput = { dress: dressAll, statusText: statusText, tooLarge: tooLarge };
})();
