// Tabs over the panels of a [data-tabs] box (the parts of a series, the files of a work). The server sends every
// panel one after another, so without JavaScript everything is shown; here a tablist is built before them, one
// panel shows at a time, and the arrow keys, Home and End move between tabs (WAI-ARIA tabs, automatic activation).
// Showing a panel fires "tab:shown" on it (the PDF viewer draws a file only once it is visible).
(function () {
  "use strict";
  var counter = 0;

  function setUp(box) {
    var panels = Array.prototype.filter.call(box.children, function (el) { return el.classList.contains("tab-panel"); });
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", box.getAttribute("data-tabs") || "");
    var tabs = panels.map(function (panel, i) {
      counter += 1;
      if (!panel.id) panel.id = "tab-panel-" + counter;
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = panel.id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = panel.getAttribute("data-tab-label") || String(i + 1);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.removeAttribute("aria-label");
      panel.tabIndex = 0;
      list.appendChild(tab);
      return tab;
    });

    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
      panels[index].dispatchEvent(new CustomEvent("tab:shown", { bubbles: true }));
    }

    list.addEventListener("click", function (event) {
      var i = tabs.indexOf(event.target.closest("[role=tab]"));
      if (i >= 0) select(i, false);
    });
    list.addEventListener("keydown", function (event) {
      var i = tabs.indexOf(document.activeElement);
      if (i < 0) return;
      var next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select((next + tabs.length) % tabs.length, true);
    });
    box.insertBefore(list, panels[0]);
    box.classList.add("tabs-ready");
    select(0, false);
  }

  document.querySelectorAll("[data-tabs]").forEach(setUp);
})();
