// The work's files in the page (templates/judging/_viewer.html). PDF pages are drawn into a canvas by the vendored
// pdf.js (static/vendor/pdfjs-dist, pinned; see static/vendor/README.md), loaded only when the page has a PDF and
// only once a PDF is visible (a closed <details> or a hidden tab waits). This pdf.js has no eval anywhere (the CSP
// allows none); its image decoders are WebAssembly ('wasm-unsafe-eval'), its worker a same-origin module
// (worker-src 'self'). It fetches the file with Range requests, so a long PDF shows its first page early.
// Each page's text is laid over its drawing (pdf.js's TextLayer; styles in app.css), to select, copy and search.
// Images zoom with a range slider or a click; audio and video are plain elements (the server answers Range).
const base = new URL("../vendor/pdfjs-dist/", import.meta.url);
let library = null;

function pdfjs() {
  if (!library) {
    library = import(new URL("build/pdf.min.mjs", base).href).then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = new URL("build/pdf.worker.min.mjs", base).href;
      return lib;
    });
  }
  return library;
}

function visible(el) {
  // checkVisibility() sees inside a closed <details> (its content has boxes in some browsers but is not shown)
  if (typeof el.checkVisibility === "function") return el.checkVisibility();
  return el.getClientRects().length > 0;
}

async function openPdf(box) {
  if (box.dataset.state) return;
  box.dataset.state = "loading";
  const bar = box.querySelector(".pdf-bar");
  const status = box.querySelector("[data-pdf-status]");
  const canvas = box.querySelector("canvas[data-pdf-canvas]");
  const prev = box.querySelector("[data-pdf-prev]");
  const next = box.querySelector("[data-pdf-next]");
  bar.hidden = false;
  const sheet = box.querySelector(".pdf-sheet");
  const textBox = box.querySelector("[data-pdf-text]");
  let doc;
  let lib;
  try {
    lib = await pdfjs();
    doc = await lib.getDocument({
      url: box.dataset.pdf,
      enableXfa: false,
      standardFontDataUrl: new URL("standard_fonts/", base).href,
      wasmUrl: new URL("wasm/", base).href,
    }).promise;
  } catch (err) {
    box.dataset.state = "failed";
    status.textContent = "Không hiển thị được tệp PDF này; hãy mở tệp bằng liên kết bên dưới.";
    return;
  }
  let current = 1;
  let drawing = null;
  let text = null;
  const zooms = [1, 1.5, 2, 3];  // × the box's width: the page scrolls inside its box when wider
  let zoom = 0;
  const zoomLevel = box.querySelector("[data-pdf-zoom-level]");

  async function draw() {
    if (drawing) { drawing.cancel(); }
    if (text) { text.cancel(); text = null; }
    const page = await doc.getPage(current);
    const width = Math.max(box.clientWidth - 2, 200) * zooms[zoom];
    const unscaled = page.getViewport({ scale: 1 });
    const scale = width / unscaled.width;
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: scale * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = Math.floor(viewport.width / ratio) + "px";
    canvas.style.maxWidth = zoom ? "none" : "100%";
    canvas.setAttribute("aria-label", (box.dataset.pdfName || "PDF") + ", trang " + current + " trên " + doc.numPages);
    drawing = page.render({ canvas: canvas, canvasContext: canvas.getContext("2d"), viewport: viewport });
    try {
      await drawing.promise;
      box.dataset.state = "ready";
      box.dataset.page = String(current);
    } catch (err) {
      if (err && err.name === "RenderingCancelledException") return;
      status.textContent = "Không vẽ được trang " + current + ".";
      return;
    }
    // The page's text over the drawing, at the drawing's size in CSS pixels (a scan without text has none).
    if (textBox && sheet) {
      textBox.replaceChildren();
      sheet.style.setProperty("--total-scale-factor", String(scale));
      text = new lib.TextLayer({ textContentSource: page.streamTextContent(), container: textBox,
                                 viewport: page.getViewport({ scale: scale }) });
      try { await text.render(); } catch (err) { /* cancelled by the next draw, or no text: the drawing stays */ }
    }
    status.textContent = "Trang " + current + " / " + doc.numPages;
    keepAnchor(box);
    prev.disabled = current <= 1;
    next.disabled = current >= doc.numPages;
    if (zoomLevel) zoomLevel.textContent = Math.round(zooms[zoom] * 100) + " %";
    // A button that just became disabled would drop the keyboard's focus: hand it to the other one.
    if (document.activeElement === prev && prev.disabled) next.focus();
    if (document.activeElement === next && next.disabled) prev.focus();
  }

  prev.addEventListener("click", () => { if (current > 1) { current -= 1; draw(); } });
  next.addEventListener("click", () => { if (current < doc.numPages) { current += 1; draw(); } });
  box.querySelectorAll("[data-pdf-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      zoom = Math.min(Math.max(zoom + Number(button.dataset.pdfZoom), 0), zooms.length - 1);
      draw();
    });
  });
  let lastWidth = box.clientWidth;
  window.addEventListener("resize", () => {
    if (Math.abs(box.clientWidth - lastWidth) > 20 && visible(box)) { lastWidth = box.clientWidth; draw(); }
  });
  await draw();
}

// A page opened at a section below the viewer (a judge's "Lưu nháp" returns to #cham-diem, under the work on a
// phone) stays there while the viewer above it grows from nothing to a drawn page: the section is scrolled back
// into view after each drawing, until the reader scrolls, types or taps (then the reader decides).
const anchored = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
let readerMoved = false;
for (const kind of ["wheel", "touchstart", "keydown", "pointerdown"]) {
  window.addEventListener(kind, () => { readerMoved = true; }, { once: true, passive: true, capture: true });
}

function keepAnchor(box) {
  if (!anchored || readerMoved) return;
  if (box.compareDocumentPosition(anchored) & Node.DOCUMENT_POSITION_FOLLOWING) anchored.scrollIntoView({ block: "start" });
}

function openVisible() {
  document.querySelectorAll("[data-pdf]").forEach((box) => { if (visible(box)) openPdf(box); });
}

function setUpZoom(figure) {
  const range = figure.querySelector("[data-zoom-range]");
  const img = figure.querySelector("img");
  function apply() {
    img.style.width = range.value + "%";
    img.classList.toggle("zoomed", Number(range.value) > 100);
  }
  range.addEventListener("input", apply);
  img.addEventListener("click", () => {
    range.value = Number(range.value) > 100 ? "100" : "200";
    apply();
  });
}

document.querySelectorAll("[data-zoom]").forEach(setUpZoom);
document.addEventListener("tab:shown", openVisible);
document.addEventListener("toggle", openVisible, true);
openVisible();
