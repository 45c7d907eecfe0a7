/* Giải Búa liềm vàng – entry form enhancements (no build step, no framework).
 *
 * Works on any <form> that contains a [data-repeat] fieldset or carries [data-entry-form]:
 *
 *  - Repeatable rows.  <fieldset data-repeat="authors" data-max="7" [data-min="1"]
 *    [data-item-label="tác giả"]> holding <div data-rows> with one [data-row] per row, a
 *    <template data-row-template> (row markup with __i__ where the index goes) and a
 *    [data-add-row] button; each row has a [data-remove-row] button.  Without JavaScript those
 *    buttons are ordinary submit buttons (action=add-authors / remove-authors-N) and the server
 *    re-renders the form.  With it, rows are added and removed in place, and every row's
 *    name / id / for / aria-* attributes, the remove button's value and its [data-row-number]
 *    texts are renumbered so indices stay 0..n-1 in order.  Typed values are never touched.
 *  - Status messages go to the page's [data-form-status] element (created, visually hidden, if
 *    the page has none), which is made an aria-live="polite" region.
 *  - Leaving the page with unsaved changes asks for confirmation (beforeunload), except while the
 *    form itself is being submitted.
 *  - After the first submit every submit button of the form is disabled; the clicked button's
 *    name/value is kept by a hidden input so the server still sees which action was chosen.
 */
(() => {
  "use strict";

  const NOUNS = { authors: "tác giả", parts: "kỳ", prior_awards: "giải thưởng" };
  const RENUMBERED_ATTRIBUTES = [
    "name", "id", "for", "aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage", "list",
  ];
  const FOCUSABLE = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /** Replace every "<key>-<number>" token (not preceded by a word character) by "<key>-<index>". */
  function renumberValue(value, key, index) {
    const pattern = new RegExp(`(^|[^A-Za-z0-9_])(${escapeRegExp(key)})-\\d+(?![0-9])`, "g");
    return value.replace(pattern, `$1$2-${index}`);
  }

  /** Replace a placeholder in every attribute and text node of a cloned template. */
  function substitute(root, placeholder, replacement) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        if (node.data.includes(placeholder)) node.data = node.data.split(placeholder).join(replacement);
        continue;
      }
      for (const attr of Array.from(node.attributes)) {
        if (attr.value.includes(placeholder)) attr.value = attr.value.split(placeholder).join(replacement);
      }
    }
  }

  function liveRegion(form) {
    let region = form.querySelector("[data-form-status]") || document.querySelector("[data-form-status]");
    if (!region) {
      region = document.createElement("p");
      region.className = "sr-only";
      region.setAttribute("data-form-status", "");
      form.appendChild(region);
    }
    if (!region.hasAttribute("aria-live")) region.setAttribute("aria-live", "polite");
    if (!region.hasAttribute("role")) region.setAttribute("role", "status");
    return region;
  }

  class Announcer {
    constructor(region) {
      this.region = region;
      this.timer = null;
    }

    say(text) {
      // Clear first so that the same sentence twice in a row is read out again.
      clearTimeout(this.timer);
      this.region.textContent = "";
      this.timer = setTimeout(() => { this.region.textContent = text; }, 30);
    }
  }

  class Repeater {
    constructor(fieldset, controller) {
      this.fieldset = fieldset;
      this.controller = controller;
      this.key = fieldset.dataset.repeat;
      const max = parseInt(fieldset.dataset.max, 10);
      const min = parseInt(fieldset.dataset.min, 10);
      this.max = Number.isFinite(max) && max > 0 ? max : Infinity;
      this.min = Number.isFinite(min) && min > 0 ? min : 0;
      this.noun = fieldset.dataset.itemLabel || NOUNS[this.key] || "mục";
      this.rowsBox = fieldset.querySelector("[data-rows]");
      this.template = fieldset.querySelector("template[data-row-template]");
      this.update();
    }

    get usable() {
      return Boolean(this.key && this.rowsBox && this.template);
    }

    rows() {
      return Array.from(this.rowsBox.querySelectorAll("[data-row]"))
        .filter((row) => row.closest("[data-repeat]") === this.fieldset);
    }

    addButtons() {
      return Array.from(this.fieldset.querySelectorAll("[data-add-row]"))
        .filter((button) => button.closest("[data-repeat]") === this.fieldset);
    }

    add() {
      const count = this.rows().length;
      if (count >= this.max) {
        this.controller.announce(`Đã đạt số lượng tối đa: ${this.max} ${this.noun}.`);
        this.update();
        return;
      }
      const fragment = this.template.content.cloneNode(true);
      substitute(fragment, "__i__", String(count));
      const row = fragment.querySelector("[data-row]") || fragment.firstElementChild;
      this.rowsBox.appendChild(fragment);
      this.renumber();
      this.update();
      this.controller.markDirty();
      const target = row && (row.querySelector(FOCUSABLE) || row.querySelector("button"));
      if (target) target.focus();
      let message = `Đã thêm ${this.noun} ${count + 1}.`;
      if (count + 1 >= this.max) message += ` Đã đạt số lượng tối đa: ${this.max} ${this.noun}.`;
      this.controller.announce(message);
    }

    remove(row) {
      const rows = this.rows();
      const index = rows.indexOf(row);
      if (index < 0) return;
      if (rows.length <= this.min) {
        this.controller.announce(`Cần ít nhất ${this.min} ${this.noun}.`);
        return;
      }
      row.remove();
      this.renumber();
      this.update();
      this.controller.markDirty();
      const remaining = this.rows();
      const neighbour = remaining[index] || remaining[index - 1];
      const target = (neighbour && neighbour.querySelector(FOCUSABLE))
        || this.addButtons().find((button) => !button.disabled)
        || this.fieldset.querySelector("legend");
      if (target) {
        if (target.tagName === "LEGEND") target.setAttribute("tabindex", "-1");
        target.focus();
      }
      this.controller.announce(`Đã xóa ${this.noun} ${index + 1}.`);
    }

    renumber() {
      this.rows().forEach((row, index) => {
        for (const el of [row, ...row.querySelectorAll("*")]) {
          for (const name of RENUMBERED_ATTRIBUTES) {
            const value = el.getAttribute(name);
            if (value !== null) {
              const renamed = renumberValue(value, this.key, index);
              if (renamed !== value) el.setAttribute(name, renamed);
            }
          }
          if (el.matches("[data-remove-row]") && el.hasAttribute("value")) {
            el.setAttribute("value", renumberValue(el.getAttribute("value"), this.key, index));
          }
          if (el.matches("[data-row-number]")) el.textContent = String(index + 1);
        }
        row.dataset.index = String(index);
      });
    }

    update() {
      if (!this.rowsBox) return;
      const count = this.rows().length;
      for (const button of this.addButtons()) {
        button.disabled = count >= this.max;
      }
      for (const row of this.rows()) {
        for (const button of row.querySelectorAll("[data-remove-row]")) button.disabled = count <= this.min;
      }
      this.fieldset.dataset.count = String(count);
    }
  }

  class FormController {
    constructor(form) {
      this.form = form;
      this.dirty = form.hasAttribute("data-dirty");
      this.submitting = false;
      this.announcer = new Announcer(liveRegion(form));
      this.repeaters = new Map();
      for (const fieldset of form.querySelectorAll("[data-repeat]")) {
        const repeater = new Repeater(fieldset, this);
        if (repeater.usable) this.repeaters.set(fieldset, repeater);
      }
      form.addEventListener("click", (event) => this.onClick(event));
      form.addEventListener("keydown", (event) => this.onKeydown(event));
      form.addEventListener("input", () => this.markDirty());
      form.addEventListener("change", () => this.markDirty());
      form.addEventListener("submit", (event) => this.onSubmit(event));
    }

    announce(text) {
      this.announcer.say(text);
    }

    markDirty() {
      this.dirty = true;
    }

    repeaterFor(button) {
      const fieldset = button.closest("[data-repeat]");
      return fieldset ? this.repeaters.get(fieldset) : undefined;
    }

    onClick(event) {
      const button = event.target instanceof Element
        ? event.target.closest("[data-add-row], [data-remove-row]") : null;
      if (!button || !this.form.contains(button)) return;
      const repeater = this.repeaterFor(button);
      if (!repeater) return; // no template: let the server handle it
      event.preventDefault();
      if (button.disabled) return;
      if (button.matches("[data-add-row]")) {
        repeater.add();
      } else {
        const row = button.closest("[data-row]");
        if (row) repeater.remove(row);
      }
    }

    submitButtons() {
      return Array.from(this.form.elements)
        .filter((el) => (el.tagName === "BUTTON" && (el.type || "submit") === "submit")
          || (el.tagName === "INPUT" && (el.type === "submit" || el.type === "image")));
    }

    isRowControl(el) {
      return el.matches("[data-add-row], [data-remove-row]");
    }

    // Pressing Enter in a text field "clicks" the form's first submit button.  When that button
    // is a row control (add/remove), submit with the first real submit button instead.
    onKeydown(event) {
      if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
      const field = event.target;
      if (!(field instanceof HTMLInputElement)) return;
      if (["button", "submit", "reset", "image", "checkbox", "radio", "file", "hidden"].includes(field.type)) return;
      const buttons = this.submitButtons();
      if (!buttons.length || !this.isRowControl(buttons[0])) return;
      event.preventDefault();
      const primary = buttons.find((button) => !this.isRowControl(button) && !button.disabled);
      if (primary && typeof this.form.requestSubmit === "function") this.form.requestSubmit(primary);
    }

    onSubmit(event) {
      if (event.defaultPrevented) return;
      if (this.submitting) {
        event.preventDefault();
        return;
      }
      this.submitting = true;
      const submitter = event.submitter;
      if (submitter && submitter.name && !submitter.disabled) {
        const copy = document.createElement("input");
        copy.type = "hidden";
        copy.name = submitter.name;
        copy.value = submitter.value;
        copy.setAttribute("data-submitter-copy", "");
        this.form.appendChild(copy);
      }
      // Disabled synchronously: the form data set is built after this event, so the clicked
      // button (now disabled) is left out and its hidden copy goes in its place.
      for (const button of this.submitButtons()) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute("data-disabled-on-submit", "");
        }
      }
      this.form.setAttribute("aria-busy", "true");
      this.announce("Đang gửi, vui lòng chờ…");
    }

    // Coming back through the back/forward cache: make the form usable again.
    reset() {
      this.submitting = false;
      this.form.removeAttribute("aria-busy");
      for (const copy of this.form.querySelectorAll("[data-submitter-copy]")) copy.remove();
      for (const button of this.form.querySelectorAll("[data-disabled-on-submit]")) {
        button.disabled = false;
        button.removeAttribute("data-disabled-on-submit");
      }
      for (const repeater of this.repeaters.values()) repeater.update();
    }
  }

  const controllers = [];

  function init() {
    const forms = new Set();
    for (const fieldset of document.querySelectorAll("form [data-repeat]")) forms.add(fieldset.closest("form"));
    for (const form of document.querySelectorAll("form[data-entry-form]")) forms.add(form);
    for (const form of forms) {
      if (!form.__awardEntryForm) {
        form.__awardEntryForm = new FormController(form);
        controllers.push(form.__awardEntryForm);
      }
    }
  }

  window.addEventListener("beforeunload", (event) => {
    if (controllers.some((c) => c.dirty && !c.submitting)) {
      event.preventDefault();
      event.returnValue = true; // legacy browsers need a truthy value to show the prompt
    }
  });

  window.addEventListener("pageshow", (event) => {
    if (event.persisted) controllers.forEach((c) => c.reset());
  });

  window.AwardEntryForm = { init, renumberValue, controllers };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Genres follow the media type: <select data-genres-for="ID"> keeps only the options whose data-media lists
 * the media type chosen in #ID (the round's rules.media_genres). Without JavaScript every genre is offered
 * and the server refuses a genre the media type does not admit, naming the field. */
(() => {
  document.querySelectorAll("select[data-genres-for]").forEach((genres) => {
    const media = document.getElementById(genres.getAttribute("data-genres-for"));
    if (!media) return;
    const follow = () => {
      const chosen = media.value;
      Array.from(genres.options).forEach((option) => {
        if (!option.value) return;  // the placeholder stays
        const fits = !chosen || (option.dataset.media || "").split(" ").includes(chosen);
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) genres.value = "";
      });
    };
    media.addEventListener("change", follow);
    follow();
  });
})();

/* Fields for some media types only (data-for-media="radio tv": a broadcast's programme and time, the script or
 * voice-over) are hidden once another media type is chosen: the form says which media type it is for
 * (data-media), static/app.css hides the rest, in the parts added later too. Without JavaScript every field shows. */
(() => {
  const form = document.querySelector("form[data-entry-form]");
  const media = form && form.querySelector("#f-media_type");
  if (!media) return;
  const follow = () => { form.dataset.media = media.value; };
  media.addEventListener("change", follow);
  follow();
})();
