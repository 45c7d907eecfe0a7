// Tự lưu phiếu chấm (nháp) vài giây sau mỗi lần sửa; nộp phiếu vẫn bằng nút "Nộp phiếu".
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const url = form.getAttribute("data-autosave");
  const status = form.querySelector("[data-autosave-status]");
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let timer = null;

  function payload() {
    const scores = {};
    for (const input of form.querySelectorAll("input[data-code]")) {
      scores[input.getAttribute("data-code")] = input.value === "" ? null : input.value;
    }
    const comment = form.querySelector("[name=comment]");
    return { scores: scores, comment: comment ? comment.value : "", submit: false };
  }

  async function save() {
    status.textContent = "Đang lưu…";
    try {
      const response = await fetch(url, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(payload()),
      });
      if (response.ok) {
        status.textContent = "Đã tự lưu lúc " + new Date().toLocaleTimeString("vi-VN");
        return;
      }
      const body = await response.json().catch(() => ({}));
      const detail = body.detail;
      status.textContent = Array.isArray(detail) ? detail[0].msg : (detail && detail.message) || "Chưa lưu được.";
    } catch (err) {
      status.textContent = "Mất kết nối, chưa lưu được. Dữ liệu vẫn còn trên trang.";
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", schedule);
  // This script is deferred: what was typed before it ran (a slow phone, a loaded machine) raised no event it
  // heard, so a field already changed from the page's value is saved now.
  for (const field of form.querySelectorAll("input, textarea")) {
    if (field.type !== "hidden" && field.value !== field.defaultValue) {
      schedule();
      break;
    }
  }
})();
