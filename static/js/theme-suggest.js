// Gợi ý chủ đề khi nhà báo đang gõ tên và tóm tắt tác phẩm, và ngay khi mở một mẫu đã điền sẵn
// (không lưu gì trên máy chủ).
(function () {
  "use strict";
  const box = document.querySelector("[data-theme-suggest]");
  if (!box) return;
  const url = box.getAttribute("data-url");
  const list = box.querySelector("[data-theme-suggest-list]");
  const status = box.querySelector("[data-theme-suggest-status]");
  // the API's off_outline: the text hardly touches the outline at all, so no theme is "rất phù hợp" (its level
  // says "ít liên quan") and the box says so above the list
  const caution = box.querySelector("[data-theme-suggest-caution]");
  // the API's weak: too little text to tell, so every level says "tạm đoán" and the box shows the short-text
  // note (no summary typed, or a short one)
  const weakEmpty = box.querySelector('[data-theme-suggest-weak="empty"]');
  const weakShort = box.querySelector('[data-theme-suggest-weak="short"]');
  const title = document.getElementById("f-title");
  const summary = document.getElementById("f-summary");
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let timer = null;
  let last = "";

  // A long theme title cut at the last whole word before `limit` characters ("phản bác…", never "phản bá…"),
  // as the work's page cuts it.
  function shorten(text, limit) {
    if (text.length <= limit) return text;
    const cut = text.slice(0, limit - 1);
    const space = cut.lastIndexOf(" ");
    return (space > 0 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "") + "…";
  }

  function showNotes(off, weak) {
    const noSummary = !summary || summary.value.trim() === "";
    if (caution) caution.hidden = !off;
    if (weakEmpty) weakEmpty.hidden = !(weak && noSummary);
    if (weakShort) weakShort.hidden = !(weak && !noSummary);
  }

  // What the API said when it refused the text: a 422 lists each field's problem ({loc, msg}), named here as
  // the form labels the field ("Tên tác phẩm (hoặc tên loạt bài): chỉ được tối đa 500 ký tự."); other
  // errors carry one message (503: the tagger is paused). Shown with textContent, so never read as HTML.
  function refusal(detail) {
    if (Array.isArray(detail)) {
      const lines = detail.filter((e) => e && typeof e.msg === "string").map((e) => {
        const field = Array.isArray(e.loc) && e.loc.length ? String(e.loc[e.loc.length - 1]) : "";
        const label = field ? box.ownerDocument.querySelector('label[for="f-' + CSS.escape(field) + '"]') : null;
        let name = field;
        if (label) {
          const copy = label.cloneNode(true);
          copy.querySelectorAll(".req").forEach((el) => el.remove());
          name = copy.textContent.trim();
        }
        // the API names the field in words ("Tên tác phẩm: chỉ được…") or by its path ("“title”: …"); the
        // form's label is said instead of a path, and before a message that names no field
        const core = name.split(" (")[0];
        if (core && e.msg.startsWith(core + ":")) return e.msg;
        const bare = label ? e.msg.replace(/^“[^”]*”:\s*/, "") : e.msg;
        return (label && name ? name + ": " : "") + bare;
      });
      return lines.length ? lines.join(" ") : null;
    }
    return detail && typeof detail.message === "string" ? detail.message : null;
  }

  function render(items) {
    list.replaceChildren();
    const off = items.length > 0 && items[0].off_outline === true;
    const weak = items.length > 0 && items[0].weak === true;
    showNotes(off, weak);
    for (const item of items) {
      const li = document.createElement("li");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = item.code;
      const text = document.createElement("span");
      text.textContent = " " + shorten(item.title, 160);
      li.append(code, text);
      // how close, in words ("rất phù hợp"…, as on the work's page; never "0 %"), and why: the journalist's own
      // words, so textContent
      if (item.level || item.why) {
        const why = document.createElement("p");
        why.className = "hint why";
        if (item.level) {
          const level = document.createElement("span");
          level.className = "match-level";
          level.title = off ? "Nội dung đang nhập ít liên quan đến đề cương"
            : weak ? "Nội dung đang nhập còn ít chữ, chưa đủ để đánh giá mức phù hợp"
              : "So với các chủ đề khác của đề cương, cho nội dung đang nhập";
          level.textContent = item.level.charAt(0).toUpperCase() + item.level.slice(1);
          why.append(level);
        }
        if (item.why) why.append((item.level ? " · " : "") + "Vì sao gợi ý: " + item.why + ".");
        li.append(why);
      }
      list.append(li);
    }
  }

  async function refresh() {
    const body = { title: title ? title.value : "", summary: summary ? summary.value : "" };
    const key = body.title + "\u0000" + body.summary;
    if (key === last || (body.title + body.summary).trim().length < 12) return;
    last = key;
    status.textContent = "Đang tìm chủ đề phù hợp…";
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        last = ""; // try again at the next keystroke (the tagger service may be back)
        let message = null;
        try {
          message = refusal((await response.json()).detail);
        } catch (ignored) { /* not JSON */ }
        if (response.status === 422) {
          // the text itself was refused: the list shown was for another text
          list.replaceChildren();
          showNotes(false, false);
        }
        status.textContent = message || "Chưa gợi ý được chủ đề lúc này.";
        return;
      }
      const items = await response.json();
      render(items);
      const first = items[0] || {};
      status.textContent = first.off_outline === true
        ? "Các chủ đề gần nhất với nội dung anh/chị nhập (chọn chủ đề sau khi lưu)."
        : first.weak === true
          ? "Các chủ đề tạm đoán từ vài chữ anh/chị nhập (chọn chủ đề sau khi lưu)."
          : "Các chủ đề phù hợp nhất với nội dung anh/chị nhập (chọn chủ đề sau khi lưu).";
    } catch (err) {
      status.textContent = "Chưa gợi ý được chủ đề lúc này.";
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  }
  if (title) title.addEventListener("input", schedule);
  if (summary) summary.addEventListener("input", schedule);
  // A form that opens filled in (after a refused save, or to edit a work) shows its suggestions at once.
  refresh();
})();
