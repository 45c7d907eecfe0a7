/* Giải Búa liềm vàng – file upload widget with progress, multipart upload and resume.
 *
 * Markup (one or more per page):
 *   <section data-upload data-files-url="/api/v1/entries/12/files"
 *            data-uploads-url="/api/v1/entries/12/uploads" data-direct-threshold="8388608">
 *     <label for="upload-input">Chọn tệp</label>
 *     <input id="upload-input" type="file" multiple data-upload-input accept="…">
 *     <ul data-upload-list></ul>
 *     <p data-upload-status aria-live="polite"></p>
 *   </section>
 * Optional attributes on the section: data-retry-delays="1000,3000,9000" (milliseconds between the
 * retries of a failed part) and data-reload-delay="800" (milliseconds between "all done" and the
 * page reload).
 *
 * Files smaller than data-direct-threshold are POSTed (multipart/form-data, field "file") to
 * data-files-url.  Larger ones are hashed (SHA-256, 8 MiB slices, hash-wasm when the CSP allows
 * WebAssembly, else a built-in JavaScript SHA-256), announced with POST data-uploads-url, sent in
 * parts straight to the presigned URLs (two at a time, each retried 3 times), and completed with
 * POST data-uploads-url/<id>/complete.  Progress is kept in localStorage so that an interrupted
 * upload resumes — after "Tiếp tục tải lên", or after a reload when the same file is chosen again.
 * The X-CSRF-Token header (from <meta name="csrf-token">) goes on every unsafe same-origin
 * request and never to another origin.  The pure helpers are exposed on window.AwardUpload.
 */
(() => {
  "use strict";

  const MiB = 1024 * 1024;
  const HASH_CHUNK = 8 * MiB;
  const PARALLEL_PARTS = 2;
  const DEFAULT_RETRY_DELAYS = [1000, 3000, 9000];
  const DEFAULT_RELOAD_DELAY = 800;
  const STORAGE_PREFIX = "award-upload:";
  const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  const HASH_WASM_URL = (() => {
    const base = (document.currentScript && document.currentScript.src) || "";
    try {
      return new URL("../vendor/hash-wasm/sha256.umd.min.js", base || new URL("/static/js/", location.href)).href;
    } catch (_) {
      return "/static/vendor/hash-wasm/sha256.umd.min.js";
    }
  })();

  // ---------------------------------------------------------------------------------------------
  // Pure helpers

  /** The byte ranges of a multipart upload: [{number, start, end}], numbers from 1, end exclusive. */
  function partRanges(size, partSize) {
    if (!(partSize > 0)) throw new RangeError("partSize must be positive");
    const ranges = [];
    const count = Math.max(1, Math.ceil(size / partSize));
    for (let number = 1; number <= count; number += 1) {
      const start = (number - 1) * partSize;
      ranges.push({ number, start, end: Math.min(size, number * partSize) });
    }
    return ranges;
  }

  /** Part numbers 1..total that are not in `done` (numbers, or objects with a `number`). */
  function missingParts(total, done) {
    const have = new Set((done || []).map((p) => Number(typeof p === "object" && p !== null ? p.number : p)));
    const missing = [];
    for (let number = 1; number <= total; number += 1) {
      if (!have.has(number)) missing.push(number);
    }
    return missing;
  }

  function storageKey(uploadsUrl, file) {
    return `${STORAGE_PREFIX}${uploadsUrl}:${file.name}:${file.size}:${file.lastModified}`;
  }

  // As the page's file table writes a size (api/templating.py file_size): 912 B, 36,2 KB, 1,5 MB, 3,5 GB,
  // so a file reads the same in the widget and in the list once uploaded.
  function formatSize(bytes) {
    for (const [unit, scale] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]]) {
      if (bytes >= scale) return `${(bytes / scale).toFixed(1).replace(".", ",")} ${unit}`;
    }
    return `${bytes} B`;
  }

  function isSameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (_) {
      return false;
    }
  }

  function parseRetryDelays(text) {
    if (!text) return DEFAULT_RETRY_DELAYS.slice();
    const delays = text.split(",").map((t) => parseInt(t.trim(), 10)).filter((n) => Number.isFinite(n) && n >= 0);
    return delays.length ? delays : DEFAULT_RETRY_DELAYS.slice();
  }

  function fallbackMessage(status) {
    if (status === 0) return "Mất kết nối.";
    if (status === 401) return "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.";
    if (status === 403) return "Không có quyền hoặc mã bảo vệ (CSRF) đã hết hạn. Vui lòng tải lại trang.";
    if (status === 404 || status === 410) return "Phiên tải lên không còn hiệu lực.";
    if (status === 409) return "Tệp bị trùng hoặc xung đột với dữ liệu đã có.";
    if (status === 413) return "Tệp quá lớn.";
    if (status === 415) return "Định dạng tệp không được chấp nhận.";
    if (status === 422) return "Dữ liệu gửi lên không hợp lệ.";
    if (status >= 500) return "Máy chủ đang gặp sự cố. Vui lòng thử lại sau.";
    return `Tải lên không thành công (mã lỗi ${status}).`;
  }

  /** The Vietnamese message of an API error: detail.message, or the 422 detail[].msg list. */
  function errorMessage(status, data) {
    const detail = data && typeof data === "object" ? data.detail : undefined;
    if (detail && typeof detail === "object" && !Array.isArray(detail) && detail.message) {
      return String(detail.message);
    }
    if (Array.isArray(detail)) {
      const messages = detail.map((d) => (d && typeof d === "object" ? d.msg : d)).filter(Boolean).map(String);
      if (messages.length) return messages.join(" ");
    }
    if (typeof detail === "string" && detail) return detail;
    if (data && typeof data === "object" && typeof data.message === "string" && data.message) return data.message;
    return fallbackMessage(status);
  }

  function retryable(status) {
    return status === 0 || status === 408 || status === 429 || status >= 500;
  }

  // ---------------------------------------------------------------------------------------------
  // SHA-256: hash-wasm when WebAssembly may be compiled, else this incremental JS implementation.

  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  class Sha256 {
    constructor() {
      this.h = new Int32Array([
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
      ]);
      this.w = new Int32Array(64);
      this.buffer = new Uint8Array(64);
      this.buffered = 0;
      this.length = 0;
    }

    update(data) {
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      const n = bytes.length;
      let pos = 0;
      this.length += n;
      if (this.buffered > 0) {
        const take = Math.min(64 - this.buffered, n);
        this.buffer.set(bytes.subarray(0, take), this.buffered);
        this.buffered += take;
        pos = take;
        if (this.buffered === 64) {
          this.block(this.buffer, 0);
          this.buffered = 0;
        }
      }
      while (pos + 64 <= n) {
        this.block(bytes, pos);
        pos += 64;
      }
      if (pos < n) {
        this.buffer.set(bytes.subarray(pos), 0);
        this.buffered = n - pos;
      }
      return this;
    }

    block(d, off) {
      const w = this.w;
      const H = this.h;
      for (let i = 0; i < 16; i += 1) {
        const j = off + i * 4;
        w[i] = (d[j] << 24) | (d[j + 1] << 16) | (d[j + 2] << 8) | d[j + 3];
      }
      for (let i = 16; i < 64; i += 1) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = H[0]; let b = H[1]; let c = H[2]; let d0 = H[3];
      let e = H[4]; let f = H[5]; let g = H[6]; let h = H[7];
      for (let i = 0; i < 64; i += 1) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d0 + t1) | 0;
        d0 = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d0) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }

    digest() {
      const bits = this.length * 8;
      const padding = new Uint8Array((this.buffered < 56 ? 56 : 120) - this.buffered + 8);
      padding[0] = 0x80;
      const view = new DataView(padding.buffer);
      view.setUint32(padding.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(padding.length - 4, bits >>> 0);
      this.update(padding);
      let hex = "";
      for (const word of this.h) hex += (word >>> 0).toString(16).padStart(8, "0");
      return hex;
    }
  }

  let hashWasmLoading = null;
  let wasmUsable = null; // null: not tried yet

  function loadHashWasm() {
    if (window.hashwasm && typeof window.hashwasm.createSHA256 === "function") return Promise.resolve(window.hashwasm);
    if (!hashWasmLoading) {
      hashWasmLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = HASH_WASM_URL;
        script.async = true;
        script.onload = () => (window.hashwasm ? resolve(window.hashwasm) : reject(new Error("hash-wasm missing")));
        script.onerror = () => reject(new Error("hash-wasm could not be loaded"));
        document.head.appendChild(script);
      });
    }
    return hashWasmLoading;
  }

  /** A SHA-256 hasher with update(Uint8Array) and digest() → hex; api.hashBackend tells which. */
  async function createHasher() {
    if (wasmUsable !== false) {
      try {
        const hashwasm = await loadHashWasm();
        const hasher = await hashwasm.createSHA256();
        wasmUsable = true;
        api.hashBackend = "hash-wasm";
        return { update: (bytes) => hasher.update(bytes), digest: () => hasher.digest("hex") };
      } catch (_) {
        // Most likely the page's CSP lacks 'wasm-unsafe-eval': use the JavaScript implementation.
        wasmUsable = false;
      }
    }
    api.hashBackend = "js";
    const hasher = new Sha256();
    return { update: (bytes) => hasher.update(bytes), digest: () => hasher.digest() };
  }

  /** SHA-256 (hex) of a Blob, read in 8 MiB slices; onProgress(fraction); isCancelled() stops it. */
  async function hashBlob(blob, onProgress, isCancelled) {
    const hasher = await createHasher();
    for (let start = 0; start < blob.size; start += HASH_CHUNK) {
      if (isCancelled && isCancelled()) throw new Cancelled();
      const end = Math.min(blob.size, start + HASH_CHUNK);
      const bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
      hasher.update(bytes);
      if (onProgress) onProgress(end / blob.size);
    }
    if (onProgress) onProgress(1);
    return hasher.digest();
  }

  async function sha256Hex(data) {
    const blob = data instanceof Blob ? data : new Blob([data]);
    return hashBlob(blob);
  }

  // ---------------------------------------------------------------------------------------------
  // Storage of interrupted uploads

  function loadState(key) {
    try {
      const raw = window.localStorage.getItem(key);
      const state = raw ? JSON.parse(raw) : null;
      return state && state.upload_id ? state : null;
    } catch (_) {
      return null;
    }
  }

  function saveState(key, state) {
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (_) { /* storage full or disabled: resuming after a reload will not be possible */ }
  }

  function clearState(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (_) { /* ignore */ }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  class Cancelled extends Error {
    constructor() {
      super("cancelled");
      this.name = "Cancelled";
    }
  }

  class UploadError extends Error {
    constructor(message, { resumable = false, status = 0 } = {}) {
      super(message);
      this.name = "UploadError";
      this.resumable = resumable;
      this.status = status;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function parseJson(xhr) {
    const text = xhr.responseText;
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (_) {
      return null;
    }
  }

  /**
   * One XMLHttpRequest.  Resolves {status, data, xhr} for every HTTP answer and {status: 0} for a
   * network failure; rejects with Cancelled when aborted.  `owner.track/untrack` lets the owner
   * abort it.
   */
  function request(owner, { method, url, body = null, json, onUploadProgress }) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url, true);
      if (isSameOrigin(url)) {
        xhr.setRequestHeader("Accept", "application/json");
        if (UNSAFE_METHODS.has(method)) {
          const token = csrfToken();
          if (token) xhr.setRequestHeader("X-CSRF-Token", token);
        }
      }
      let payload = body;
      if (json !== undefined) {
        xhr.setRequestHeader("Content-Type", "application/json");
        payload = JSON.stringify(json);
      }
      if (onUploadProgress) {
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable) onUploadProgress(event.loaded, event.total);
        };
      }
      const done = () => owner && owner.untrack(xhr);
      xhr.onload = () => { done(); resolve({ status: xhr.status, data: parseJson(xhr), xhr }); };
      xhr.onerror = () => { done(); resolve({ status: 0, data: null, xhr }); };
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = () => { done(); reject(new Cancelled()); };
      if (owner) owner.track(xhr);
      xhr.send(payload);
    });
  }

  function joinUrl(base, ...segments) {
    return [base.replace(/\/+$/, ""), ...segments.map((s) => encodeURIComponent(String(s)))].join("/");
  }

  // ---------------------------------------------------------------------------------------------
  // One file in the list

  class UploadItem {
    constructor(widget, file) {
      this.widget = widget;
      this.file = file;
      this.multipart = file.size >= widget.threshold;
      this.key = storageKey(widget.uploadsUrl, file);
      this.state = "queued";
      this.xhrs = new Set();
      this.timers = new Set();
      this.cancelled = false;
      this.sha256 = null;
      this.uploadId = null;
      this.record = null;
      this.inflight = new Map();
      this.confirmed = 0;
      this.build();
    }

    build() {
      const li = document.createElement("li");
      li.className = "upload-item";
      const name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = this.file.name;
      const size = document.createElement("span");
      size.className = "upload-size";
      size.textContent = formatSize(this.file.size);
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", `Tiến độ tải lên: ${this.file.name}`);
      const status = document.createElement("span");
      status.className = "upload-state";
      status.setAttribute("data-upload-item-status", "");
      const resume = document.createElement("button");
      resume.type = "button";
      resume.className = "button secondary upload-resume";
      resume.hidden = true;
      resume.setAttribute("data-upload-resume", "");
      resume.addEventListener("click", () => this.resume());
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "button secondary upload-cancel";
      cancel.setAttribute("data-upload-cancel", "");
      cancel.addEventListener("click", () => (this.state === "failed" ? this.dismiss() : this.cancel()));
      li.append(name, " ", size, " ", progress, " ", status, " ", resume, " ", cancel);
      this.li = li;
      this.progressEl = progress;
      this.statusEl = status;
      this.resumeButton = resume;
      this.cancelButton = cancel;
      this.setState("queued", "Đang chờ…");
    }

    setState(state, text) {
      this.state = state;
      this.li.dataset.state = state;
      if (text !== undefined) this.statusEl.textContent = text;
      this.cancelButton.hidden = state === "done" || state === "cancelled";
      // A file refused for good can only be taken off the list (so that the others may still reload the
      // page); its message says why, and no progress bar is left that nothing will fill.
      const refused = state === "failed";
      this.progressEl.hidden = refused || state === "cancelled";
      this.cancelButton.textContent = refused ? "Xóa tệp này" : "Hủy";
      this.cancelButton.setAttribute("aria-label", refused ? `Xóa tệp này khỏi danh sách: ${this.file.name}`
        : `Hủy tải lên ${this.file.name}`);
      if (state !== "paused" && state !== "failed") this.resumeButton.hidden = true;
    }

    setStatus(text) {
      this.statusEl.textContent = text;
    }

    setProgress(fraction) {
      const percent = Math.max(0, Math.min(1, fraction)) * 100;
      this.progressEl.value = Math.round(percent * 10) / 10;
    }

    busy() {
      return this.state === "hashing" || this.state === "uploading";
    }

    track(xhr) { this.xhrs.add(xhr); }

    untrack(xhr) { this.xhrs.delete(xhr); }

    sleep(ms) {
      return new Promise((resolve, reject) => {
        if (this.cancelled) { reject(new Cancelled()); return; }
        const timer = setTimeout(() => { this.timers.delete(entry); resolve(); }, ms);
        const entry = { timer, reject };
        this.timers.add(entry);
      });
    }

    checkCancelled() {
      if (this.cancelled) throw new Cancelled();
    }

    async run() {
      if (this.cancelled) return;
      this.resumeButton.hidden = true;
      try {
        if (this.multipart) await this.runMultipart();
        else await this.runDirect();
        this.setProgress(1);
        this.setState("done", "Đã tải lên xong.");
        this.widget.section.dispatchEvent(new CustomEvent("award-upload:uploaded", { detail: this.record }));
      } catch (error) {
        if (error instanceof Cancelled || this.cancelled) {
          this.setState("cancelled", "Đã hủy.");
        } else if (error instanceof UploadError && error.resumable) {
          this.setState("paused", error.message);
          this.resumeButton.textContent = this.multipart ? "Tiếp tục tải lên" : "Thử lại";
          this.resumeButton.hidden = false;
          this.widget.announce("", `${this.file.name}: ${error.message}`);
        } else {
          const message = error instanceof UploadError ? error.message : "Đã xảy ra lỗi không mong muốn.";
          this.setState("failed", message);
          this.widget.announce("", `${this.file.name}: ${message}`);
          if (!(error instanceof UploadError)) console.warn("award-upload", error); // eslint-disable-line no-console
        }
      }
    }

    async resume() {
      if (this.busy() || this.state === "done" || this.cancelled) return;
      const focusBack = document.activeElement === this.resumeButton;
      this.resumeButton.hidden = true;
      if (focusBack) this.cancelButton.focus(); // the focused button is being hidden
      await this.run();
      if (this.state === "paused" && focusBack) this.resumeButton.focus();
      this.widget.check();
    }

    /** A refused file taken off the list: its row goes, the focus goes back to choosing a file. */
    dismiss() {
      if (this.state !== "failed") return;
      this.stop();
      this.li.remove();
      this.widget.forget(this);
      this.widget.announce(`Đã xóa tệp ${this.file.name} khỏi danh sách.`);
      if (this.widget.input) this.widget.input.focus();
      this.widget.check();
    }

    cancel() {
      if (this.cancelled || this.state === "done") return;
      const wasBusy = this.busy();
      this.stop();
      this.setState("cancelled", "Đã hủy.");
      this.widget.announce(`Đã hủy tải lên ${this.file.name}.`);
      if (!wasBusy) this.widget.check(); // a busy run() reports to the widget when it unwinds
    }

    /** Abort what is in flight and forget a multipart upload (on the server too). */
    stop() {
      this.cancelled = true;
      for (const xhr of Array.from(this.xhrs)) xhr.abort();
      for (const entry of Array.from(this.timers)) {
        clearTimeout(entry.timer);
        entry.reject(new Cancelled());
      }
      this.timers.clear();
      if (this.multipart) {
        const saved = loadState(this.key);
        const uploadId = this.uploadId || (saved && saved.upload_id);
        clearState(this.key);
        if (uploadId) {
          request(null, { method: "DELETE", url: joinUrl(this.widget.uploadsUrl, uploadId) }).catch(() => {});
        }
      }
    }

    // --- small files: one multipart/form-data POST ---------------------------------------------

    async runDirect() {
      this.setState("uploading", "Đang tải lên…");
      this.setProgress(0);
      const form = new FormData();
      form.append("file", this.file, this.file.name);
      const res = await request(this, {
        method: "POST",
        url: this.widget.filesUrl,
        body: form,
        onUploadProgress: (loaded, total) => {
          this.setProgress(Math.min(0.99, loaded / total));
          this.setStatus(`Đang tải lên… ${Math.floor(Math.min(0.99, loaded / total) * 100)}%`);
        },
      });
      this.checkCancelled();
      if (res.status === 200 || res.status === 201) {
        this.record = res.data;
        return;
      }
      this.setProgress(0);
      throw new UploadError(errorMessage(res.status, res.data), {
        resumable: res.status === 0 || (res.status >= 500 && res.status !== 501), status: res.status,
      });
    }

    // --- large files: hash, init, parts, complete -----------------------------------------------

    saveProgress() {
      if (this.cancelled) return; // a part that finished while cancelling must not bring the state back
      saveState(this.key, {
        upload_id: this.uploadId,
        etags: this.etags,
        part_size: this.partSize,
        sha256: this.sha256,
        expires_at: this.expiresAt || null,
      });
    }

    async hash() {
      this.setState("hashing", "Đang tính mã kiểm tra…");
      this.setProgress(0);
      const sha = await hashBlob(this.file, (fraction) => {
        this.setProgress(fraction);
        this.setStatus(`Đang tính mã kiểm tra… ${Math.floor(fraction * 100)}%`);
      }, () => this.cancelled);
      this.setProgress(0);
      return sha;
    }

    /** Ask the server which parts it already has.  Returns null when the upload has expired. */
    async fetchStatus(uploadId) {
      this.setState("uploading", "Đang kiểm tra phần đã tải lên…");
      const res = await request(this, { method: "GET", url: joinUrl(this.widget.uploadsUrl, uploadId) });
      this.checkCancelled();
      if (res.status === 404 || res.status === 410) return null;
      if (res.status !== 200) {
        throw new UploadError(retryable(res.status) ? "Mất kết nối." : errorMessage(res.status, res.data), {
          resumable: retryable(res.status), status: res.status,
        });
      }
      return res.data;
    }

    async start() {
      if (!this.sha256) this.sha256 = await this.hash();
      this.checkCancelled();
      this.setState("uploading", "Đang chuẩn bị tải lên…");
      const res = await request(this, {
        method: "POST",
        url: this.widget.uploadsUrl,
        json: {
          filename: this.file.name,
          size: this.file.size,
          content_type: this.file.type || "application/octet-stream",
          sha256: this.sha256,
        },
      });
      this.checkCancelled();
      if (res.status !== 201 && res.status !== 200) {
        throw new UploadError(res.status === 0 ? "Mất kết nối." : errorMessage(res.status, res.data), {
          resumable: retryable(res.status), status: res.status,
        });
      }
      const data = res.data || {};
      this.uploadId = data.upload_id;
      this.partSize = data.part_size;
      this.expiresAt = data.expires_at || null;
      this.etags = {};
      this.urls = new Map((data.parts || []).map((p) => [Number(p.number), p.url]));
      this.saveProgress();
    }

    async runMultipart() {
      this.checkCancelled();
      const saved = loadState(this.key);
      let status = null;
      if (saved) {
        this.uploadId = saved.upload_id;
        this.sha256 = this.sha256 || saved.sha256 || null;
      }
      if (this.uploadId) {
        const expired = this.expiresAt || (saved && saved.expires_at);
        status = expired && Date.parse(expired) < Date.now() ? null : await this.fetchStatus(this.uploadId);
        if (!status) {
          clearState(this.key);
          this.uploadId = null;
        }
      }
      if (status) {
        this.partSize = status.part_size || (saved && saved.part_size);
        this.expiresAt = status.expires_at || this.expiresAt || (saved && saved.expires_at) || null;
        this.etags = {};
        for (const part of status.parts_done || []) this.etags[part.number] = part.etag;
        this.urls = new Map((status.parts || []).map((p) => [Number(p.number), p.url]));
        this.saveProgress();
      } else {
        await this.start();
      }
      const ranges = partRanges(this.file.size, this.partSize);
      const todo = ranges.filter((r) => !this.etags[r.number]);
      this.confirmed = ranges.filter((r) => this.etags[r.number]).reduce((sum, r) => sum + (r.end - r.start), 0);
      this.inflight.clear();
      this.setState("uploading", "Đang tải lên…");
      this.showPartProgress();
      await this.sendParts(todo);
      await this.complete(ranges);
    }

    showPartProgress() {
      let sending = 0;
      for (const loaded of this.inflight.values()) sending += loaded;
      const size = this.file.size || 1;
      this.setProgress(Math.min(0.99, (this.confirmed + sending) / size));
      this.setStatus(`Đang tải lên… ${formatSize(this.confirmed)} / ${formatSize(this.file.size)}`);
    }

    async sendParts(todo) {
      const queue = todo.slice();
      let failure = null;
      const worker = async () => {
        while (!failure && !this.cancelled && queue.length) {
          const range = queue.shift();
          try {
            const etag = await this.sendPart(range);
            this.etags[range.number] = etag;
            this.confirmed += range.end - range.start;
            this.inflight.delete(range.number);
            this.saveProgress();
            this.showPartProgress();
          } catch (error) {
            this.inflight.delete(range.number);
            if (!failure) failure = error;
          }
        }
      };
      const workers = [];
      for (let i = 0; i < Math.min(PARALLEL_PARTS, queue.length); i += 1) workers.push(worker());
      await Promise.all(workers);
      this.checkCancelled();
      if (failure) throw failure;
    }

    /** PUT one part to its presigned URL, retrying; resolves its ETag. */
    async sendPart(range) {
      const url = this.urls.get(range.number);
      if (!url) throw new UploadError("Mất kết nối.", { resumable: true }); // a fresh status call gives one
      const delays = this.widget.retryDelays;
      for (let attempt = 0; ; attempt += 1) {
        this.checkCancelled();
        this.inflight.set(range.number, 0);
        const res = await request(this, {
          method: "PUT",
          url,
          body: this.file.slice(range.start, range.end),
          onUploadProgress: (loaded) => {
            this.inflight.set(range.number, Math.min(loaded, range.end - range.start));
            this.showPartProgress();
          },
        });
        this.inflight.set(range.number, 0);
        if (res.status >= 200 && res.status < 300) {
          const etag = res.xhr.getResponseHeader("ETag");
          if (!etag) {
            throw new UploadError("Máy lưu trữ không trả về ETag (cần cho phép đọc tiêu đề ETag qua CORS).");
          }
          return etag;
        }
        this.showPartProgress();
        if (attempt >= delays.length || !retryable(res.status)) {
          // 403 here usually means an expired presigned URL: resuming fetches fresh ones.
          throw new UploadError("Mất kết nối.", { resumable: true, status: res.status });
        }
        const seconds = Math.round(delays[attempt] / 100) / 10;
        this.setStatus(`Lỗi mạng ở phần ${range.number}, thử lại lần ${attempt + 1}/${delays.length} sau ${String(seconds).replace(".", ",")} giây…`);
        await this.sleep(delays[attempt]);
      }
    }

    async complete(ranges) {
      this.checkCancelled();
      this.setStatus("Đang hoàn tất…");
      const parts = ranges.map((r) => ({ number: r.number, etag: this.etags[r.number] }));
      const res = await request(this, {
        method: "POST",
        url: joinUrl(this.widget.uploadsUrl, this.uploadId, "complete"),
        json: { parts },
      });
      this.checkCancelled();
      if (res.status === 201 || res.status === 200) {
        this.record = res.data;
        clearState(this.key);
        return;
      }
      if (res.status === 404 || res.status === 410) {
        clearState(this.key);
        this.uploadId = null;
        throw new UploadError("Phiên tải lên đã hết hạn. Bấm “Tiếp tục tải lên” để tải lại từ đầu.", {
          resumable: true, status: res.status,
        });
      }
      if (retryable(res.status)) {
        throw new UploadError(res.status === 0 ? "Mất kết nối." : errorMessage(res.status, res.data), {
          resumable: true, status: res.status,
        });
      }
      // Refused for good (checksum mismatch, duplicate…): forget it so a new choice starts over.
      clearState(this.key);
      this.uploadId = null;
      throw new UploadError(errorMessage(res.status, res.data), { status: res.status });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The widget

  class UploadWidget {
    constructor(section) {
      this.section = section;
      this.filesUrl = section.dataset.filesUrl;
      this.uploadsUrl = section.dataset.uploadsUrl;
      const threshold = parseInt(section.dataset.directThreshold, 10);
      this.threshold = Number.isFinite(threshold) && threshold > 0 ? threshold : 8 * MiB;
      this.retryDelays = parseRetryDelays(section.dataset.retryDelays);
      const reloadDelay = parseInt(section.dataset.reloadDelay, 10);
      this.reloadDelay = Number.isFinite(reloadDelay) && reloadDelay >= 0 ? reloadDelay : DEFAULT_RELOAD_DELAY;
      this.input = section.querySelector("[data-upload-input]");
      this.list = section.querySelector("[data-upload-list]");
      this.status = section.querySelector("[data-upload-status]");
      if (!this.list) {
        this.list = document.createElement("ul");
        this.list.setAttribute("data-upload-list", "");
        section.appendChild(this.list);
      }
      if (!this.status) {
        this.status = document.createElement("p");
        this.status.setAttribute("data-upload-status", "");
        section.appendChild(this.status);
      }
      if (!this.status.hasAttribute("aria-live")) this.status.setAttribute("aria-live", "polite");
      this.items = [];
      this.queue = Promise.resolve();
      this.reloading = false;
      if (this.input) {
        this.input.addEventListener("change", () => this.choose());
        // Files chosen before this deferred script ran (a slow phone, a quick hand) raised a "change" nobody
        // heard: they go up now, as if chosen now.
        if (this.input.files && this.input.files.length) this.choose();
      }
    }

    /** What the line under the list says: `text` shown, `spoken` for screen readers only (a file's own
     *  message, already shown next to it, is not shown a second time). */
    announce(text, spoken = "") {
      this.status.textContent = text;
      if (spoken) {
        const quiet = document.createElement("span");
        quiet.className = "sr-only";
        quiet.textContent = text ? ` ${spoken}` : spoken;
        this.status.appendChild(quiet);
      }
    }

    forget(item) {
      const i = this.items.indexOf(item);
      if (i >= 0) this.items.splice(i, 1);
    }

    busy() {
      return this.items.some((item) => item.busy());
    }

    choose() {
      const files = Array.from(this.input.files || []);
      this.input.value = ""; // choosing the same file again fires "change" again
      if (!files.length) return;
      const accepted = [];
      for (const file of files) {
        const key = storageKey(this.uploadsUrl, file);
        const same = this.items.filter((item) => item.key === key && item.state !== "done");
        if (same.some((item) => item.state === "queued" || item.busy())) {
          this.announce(`Tệp ${file.name} đang được tải lên.`);
          continue;
        }
        for (const old of same) { // chosen again after a failure: the new row takes over
          old.li.remove();
          this.items.splice(this.items.indexOf(old), 1);
        }
        const item = new UploadItem(this, file);
        accepted.push(file);
        this.items.push(item);
        this.list.appendChild(item.li);
        this.queue = this.queue
          .then(() => (item.state === "queued" ? item.run() : undefined))
          .then(() => this.check());
      }
      if (accepted.length) {
        this.announce(accepted.length === 1 ? `Đang tải lên tệp ${accepted[0].name}…` : `Đang tải lên ${accepted.length} tệp…`);
      }
    }

    /** When nothing is left to do: reload if every file succeeded, else leave the messages. */
    check() {
      const live = this.items.filter((item) => item.state !== "cancelled");
      if (live.some((item) => item.state === "queued" || item.busy())) return;
      const done = live.filter((item) => item.state === "done");
      const failed = live.filter((item) => item.state !== "done");
      if (failed.length) {
        // the page reloads to list the files in once nothing refused is left on the list: say so
        const head = done.length
          ? `Đã tải lên ${done.length}/${live.length} tệp. Bấm “Xóa tệp này” ở tệp không tải lên được để trang hiện các tệp đã tải lên.`
          : "";
        if (failed.length <= 3) { // each message is next to its file: spoken here, not shown twice
          this.announce(head, failed.map((item) => `${item.file.name}: ${item.statusEl.textContent}`).join(" "));
        } else {
          this.announce(`${head}${head ? " " : ""}${failed.length} tệp chưa tải lên được, xem thông báo bên cạnh từng tệp.`);
        }
        return;
      }
      if (!done.length) {
        if (live.length < this.items.length) this.announce("Đã hủy tải lên."); // a refused file taken off says so
        return;
      }
      if (this.reloading) return;
      this.reloading = true;
      this.announce(`Đã tải lên xong ${done.length} tệp. Đang làm mới trang…`);
      setTimeout(() => window.awardPage.reload(), this.reloadDelay);
    }
  }

  const widgets = [];

  function init() {
    for (const section of document.querySelectorAll("[data-upload]")) {
      if (!section.__awardUpload) {
        section.__awardUpload = new UploadWidget(section);
        widgets.push(section.__awardUpload);
      }
    }
  }

  window.addEventListener("beforeunload", (event) => {
    if (widgets.some((w) => w.busy())) {
      event.preventDefault();
      event.returnValue = true;
    }
  });

  const api = {
    partRanges,
    missingParts,
    storageKey,
    formatSize,
    errorMessage,
    isSameOrigin,
    parseRetryDelays,
    sha256Hex,
    Sha256,
    createHasher,
    hashBackend: null,
    init,
    widgets,
  };
  window.AwardUpload = api;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
