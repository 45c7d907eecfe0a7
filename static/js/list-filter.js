// A filter box for a long list of checkboxes or a long <select>: <input data-filter-list="ID"> hides the
// items of #ID whose text does not contain what is typed, ignoring case and diacritics. The box is hidden
// in the HTML and shown here: without JavaScript the whole list is there, as before.
(function () {
  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  document.querySelectorAll("[data-filter-list]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    if (!list) return;
    box.hidden = false;
    var label = document.querySelector('label[for="' + box.id + '"]');
    if (label) label.hidden = false;
    var items = list.tagName === "SELECT" ? list.options : list.children;
    var status = document.createElement("p");  // says how many match, for everyone and screen readers
    status.className = "hint";
    status.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", status);
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      var shown = [];
      Array.prototype.forEach.call(items, function (item) {
        if (item.value === "" && list.tagName === "SELECT") return;  // the placeholder stays
        var match = !needle || fold(item.textContent).indexOf(needle) !== -1;
        item.hidden = !match;
        if (match) shown.push(item);
        if (list.tagName === "SELECT") item.disabled = !match && !item.selected;
      });
      if (list.tagName === "SELECT" && needle && shown.length === 1 && !shown[0].selected) {
        // One unit matches what was typed: choose it, so what the box shows is what will be sent.
        list.value = shown[0].value;
        list.dispatchEvent(new Event("change", { bubbles: true }));
        Array.prototype.forEach.call(items, function (item) { item.disabled = item.hidden && !item.selected; });
      }
      status.textContent = !needle ? "" : shown.length === 0 ? "Không tìm thấy mục nào khớp với “" + box.value.trim() + "”."
        : shown.length === 1 ? "Đã chọn: " + shown[0].textContent.trim() + "." : shown.length + " mục khớp.";
    });
  });
})();
