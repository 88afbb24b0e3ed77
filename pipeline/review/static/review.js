// The review page: keyboard first. Every text from a scan, a layout or a person is set
// with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
// reasons, statuses and page kinds with their Vietnamese words, from the server's vocabulary
const VOCAB = JSON.parse($("vocabulary").textContent);

let current = null;      // the item shown
let focusList = [];      // question ids to go through on this item
let focus = 0;           // index in focusList
let chosen = {};         // question -> value picked on this item, not yet accepted
const history = [];      // items seen before, for going back

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function say(text, bad = false) {
  $("msg").textContent = text;
  $("msg").className = bad ? "bad" : "";
}

// every request carries the filters the page shows (post.js sends them in order)
function api(path, body) {
  return post(path, {...body, unit: $("unit").value, reason: $("reason").value});
}

function showCounts(data) {
  $("left").textContent = data.counts.left;
  const all = data.all.left;
  $("all").textContent = all !== data.counts.left ? ` (trên ${all} mục)` : "";
  const parts = Object.entries(data.counts.by_reason).map(([r, n]) => {
    const option = document.querySelector(`#reason option[value="${CSS.escape(r)}"]`);
    return `${option ? option.textContent : r}: ${n}`;
  });
  $("counts").textContent = parts.join(" · ");
}

function show(data) {
  showCounts(data);
  current = data.item;
  chosen = {};
  say("");
  if (!current) {
    $("heading").textContent = "Không còn phiếu nào cần duyệt.";
    for (const id of ["where", "reasons", "doubts", "texts", "pages"]) $(id).replaceChildren();
    for (const id of ["question", "identity", "duplicate", "unitpick", "copies"]) {
      $(id).hidden = true;
    }
    return;
  }
  const sheet = current.kind === "sheet";
  const row = current.kind === "response";
  const copy = sheet && current.papers > 1 ? ` (bản ${current.copy}/${current.papers})` : "";
  $("heading").textContent = sheet ? `Phiếu ${current.sheet_id}${copy} · ${current.unit_name}`
    : row ? `Câu trả lời ${current.channel_vi} · ${current.unit_name || "chưa rõ đơn vị"}`
    : pageTitle(current);
  const src = sheet ? current.pages[0] : current.page;
  const state = current.status !== VOCAB.status.FLAGGED
    ? ` · trạng thái: ${statusVi(current.status)}` : "";
  $("where").textContent = row ? `Tệp ${current.source}, dòng ${current.row_no}${state}`
    : src ? `Tệp ${src.source}, trang ${src.source_page}${state}` : "";
  $("reasons").replaceChildren(...current.reasons_vi.map((r) => el("li", {}, r)),
    ...(current.alike || []).map((a) => el("li", {class: "alike"},
      `Giống dòng ${a.row_no} của tệp ${a.source} (${statusVi(a.status)}) ở mọi ô trừ ô tô ` +
      "vàng: có thể là chính dòng này đã sửa; nếu vậy, loại dòng này (Delete).")));
  const doubts = current.questions.filter((q) => q.doubt);
  focusList = (doubts.length ? doubts : current.questions).map((q) => q.id);
  focus = 0;
  for (const q of doubts) {
    if (q.decided !== null) chosen[q.id] = q.decided;
    // nothing guessed for several marks, or for a web form's answer that is no option
    else if (q.doubt !== VOCAB.code.MULTIPLE_MARKS && !row) chosen[q.id] = q.reading;
  }
  $("identity").hidden = !current.needs_identity;
  $("duplicate").hidden = !(current.kind === "page" && current.first);
  // a paper beside others with the same printed id: counted apart unless it is a rescan
  $("copies").hidden = !(sheet && current.papers > 1 && current.status !== VOCAB.status.REJECTED);
  $("unitpick").hidden = !row;
  if (row) $("rowunit").value = current.unit;
  drawPages();
  drawTexts();
  drawQuestion();
  drawHistory();
  if (current.needs_identity) showGuess(current.suggested);
}

// the id the pages scanned around this one point at: filled in and selected, so that a
// glance at the number printed on the picture and Enter settle it, or typing replaces it
function showGuess(suggested) {
  const field = $("sheetid");
  field.value = suggested || "";
  $("sheetguess").hidden = !suggested;
  $("sheetguess").textContent = suggested
    ? `Gợi ý theo các trang quét liền trước và liền sau: ${suggested}. ` +
      "Đối chiếu với số in trên ảnh rồi bấm Enter, hoặc gõ số khác."
    : "";
  field.focus();
  field.select();
}

function statusVi(s) {
  return VOCAB.statuses[s] || s;
}

function pageTitle(item) {
  if (item.first) {
    const copy = item.first_copy > 1 ? ` (bản ${item.first_copy})` : "";
    return `Bản quét thứ hai của phiếu ${item.first_sheet}${copy}?`;
  }
  if (item.needs_identity) return "Trang chưa rõ mã phiếu";
  if (item.page.kind === VOCAB.kind.FOREIGN) return "Trang không phải phiếu khảo sát";
  if (item.page.kind === VOCAB.kind.ERROR) return "Trang không mở được";
  return "Trang cần kiểm tra";
}

function figure(page, caption, questions) {
  const fig = el("figure");
  if (!page.image) {
    fig.append(el("p", {class: "muted"}, "Không có ảnh cho trang này."));
  } else {
    const wrap = el("div", {class: "pagewrap"});
    const img = el("img", {src: page.image, alt: caption});
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 827 1170");
    for (const q of questions) {
      const [x, y, w, h] = q.box;
      const r = document.createElementNS(SVG, "rect");
      r.setAttribute("x", x); r.setAttribute("y", y);
      r.setAttribute("width", w); r.setAttribute("height", h);
      r.setAttribute("class", q.id === focusList[focus] ? "current" : "doubt");
      r.dataset.q = q.id;
      svg.append(r);
    }
    wrap.append(img, svg);
    fig.append(wrap);
  }
  fig.append(el("figcaption", {}, caption));
  return fig;
}

function drawCells() {
  // an imported row: what the person wrote, column by column; the doubtful cells marked
  const doubtful = new Set(current.marked);
  const table = el("table", {class: "cells"});
  table.append(el("caption", {}, `Dòng ${current.row_no} của tệp ${current.source}`));
  for (const [header, cell] of current.cells) {
    const tr = el("tr", doubtful.has(cell) && cell ? {class: "doubt"} : {});
    tr.append(el("th", {scope: "row"}, header), el("td", {}, cell || "(trống)"));
    table.append(tr);
  }
  if (!current.cells.length) table.append(el("tr", {}, "Tệp nhập trước đây: không giữ các ô."));
  $("pages").replaceChildren(table);
  $("pages").classList.remove("two");
}

function drawPages() {
  if (current.kind === "response") { drawCells(); return; }
  const figs = [];
  const doubts = current.questions.filter((q) => q.doubt);
  if (current.kind === "sheet") {
    for (const p of current.pages) {
      figs.push(figure(p, `Trang ${p.form_page}`, doubts.filter((q) => q.page === p.form_page)));
    }
  } else {
    if (current.first) figs.push(figure(current.first, "Bản quét trước", []));
    figs.push(figure(current.page, current.first ? "Bản quét này" : "Trang", doubts));
  }
  $("pages").replaceChildren(...figs);
  $("pages").classList.toggle("two", figs.length > 1);
}

function drawTexts() {
  const boxes = [];
  for (const t of current.texts || []) {
    const box = el("div", {class: "textbox"});
    box.append(el("label", {for: `text-${t.id}`}, `${t.label} (gõ lại nội dung):`));
    if (t.has_image) {
      box.append(el("img", {src: `/img/text/${t.page_id}/${t.id}.png`, alt: t.label}));
    } else {
      box.append(el("p", {class: "muted"}, "(ô để trống)"));
    }
    const area = el("textarea", {id: `text-${t.id}`, rows: "2"});
    area.value = t.text;
    area.addEventListener("change", () => decide("text", t.id, area.value));
    box.append(area);
    boxes.push(box);
  }
  $("texts").replaceChildren(...boxes);
}

function currentQuestion() {
  return current && current.questions.find((q) => q.id === focusList[focus]);
}

function valueOf(q) {
  if (q.id in chosen) return chosen[q.id];
  return q.decided !== null ? q.decided : q.machine;
}

function drawCloseup(q) {
  const page = current.kind === "sheet"
    ? current.pages.find((p) => p.form_page === q.page) : current.page;
  const close = $("closeup");
  // the row's bubbles, with a little room on each side
  const r = Math.max(...q.options.map((o) => o.r));
  const x = Math.max(0, Math.min(...q.options.map((o) => o.x)) - 4 * r);
  const right = Math.max(...q.options.map((o) => o.x)) + 12 * r;
  const w = Math.min(q.box[0] + q.box[2], right) - x;
  const y = q.box[1];
  const h = q.box[3];
  const zoom = Math.min(2, 440 / w);
  close.style.width = `${Math.round(w * zoom)}px`;
  close.style.height = `${Math.round(h * zoom)}px`;
  close.style.backgroundImage = page && page.image ? `url("${page.image}")` : "none";
  close.style.backgroundSize = `${Math.round(827 * zoom)}px ${Math.round(1170 * zoom)}px`;
  close.style.backgroundPosition = `-${Math.round(x * zoom)}px -${Math.round(y * zoom)}px`;
}

function drawQuestion() {
  const q = currentQuestion();
  $("question").hidden = !q;
  for (const r of document.querySelectorAll("#pages rect")) {
    r.setAttribute("class", r.dataset.q === (q && q.id) ? "current" : "doubt");
  }
  drawDoubts();
  if (!q) return;
  const row = current.kind === "response";  // an imported row: no picture to show
  $("closeup").hidden = row;
  if (!row) drawCloseup(q);
  $("qtext").textContent = `Câu ${q.number}: ${q.text}` +
    (q.kind === "multi" ? " (được chọn nhiều)" : "");
  const value = valueOf(q);
  const picked = new Set(value ? value.split("|") : []);
  const buttons = q.options.map((o) => {
    const b = el("button", {type: "button", class: picked.has(o.value) ? "on" : ""});
    b.append(el("kbd", {}, o.value), el("span", {}, ` ${o.label}`));
    if (o.fill !== null) {
      const bar = el("span", {class: "bar", title: `mực: ${o.fill}`});
      bar.style.width = `${Math.round(Math.max(0, Math.min(1, o.fill)) * 60)}px`;
      b.append(bar);
    }
    b.addEventListener("click", () => pick(o.value));
    return b;
  });
  const blank = el("button", {type: "button", class: value === "" ? "on" : ""});
  blank.append(el("kbd", {}, "0"), el("span", {}, " Để trống"));
  blank.addEventListener("click", () => pick(""));
  $("options").replaceChildren(...buttons, blank);
  const words = VOCAB.reasons[q.doubt] || "";
  const doubt = words && words[0].toLowerCase() + words.slice(1);
  if (row) {
    $("machine").textContent = `Trên biểu mẫu ghi: «${q.written || "(trống)"}»` +
      (doubt ? ` · ${doubt}` : "");
    return;
  }
  $("machine").textContent = `Máy đọc: ${q.machine || "(trống)"}` +
    (doubt ? ` · nghi vấn: ${doubt}` : "") + (q.reading && q.doubt ? ` · có lẽ: ${q.reading}` : "");
}

const ACTIONS = {answer: "chọn", text: "gõ ý kiến", identity: "gán mã", keep: "giữ bản quét",
                 accept: "chấp nhận", reject: "loại", unit: "chọn đơn vị",
                 "second-scan": "là bản quét lại, không tính"};

function drawHistory() {
  const rows = (current.history || []).map((h) => {
    const what = [ACTIONS[h.action] || h.action, h.question || "", h.value || ""]
      .filter(Boolean).join(" ");
    const was = h.machine !== null && h.action === "answer" ? ` (máy đọc: ${h.machine || "trống"})` : "";
    const li = el("li", {}, `${h.at.replace("T", " ")} · ${h.reviewer}: ${what}${was}`);
    if (h.undone) li.classList.add("undone");
    return li;
  });
  $("history").replaceChildren(...rows);
}

function drawDoubts() {
  const items = current.questions.filter((q) => q.doubt).map((q) => {
    const li = el("li", {class: q.id === focusList[focus] ? "current" : ""},
      `Câu ${q.number} (${q.id}): ${valueOf(q) === "*" ? "chưa chọn" : (valueOf(q) || "trống")}`);
    if (q.decided !== null) li.classList.add("done");
    return li;
  });
  $("doubts").replaceChildren(...items);
}

async function decide(action, question = "", value = "") {
  try {
    const data = await api("/api/decide", {item: current.item, action, question, value});
    const keep = {...chosen};
    const f = focus;
    const same = data.item && data.item.item === current.item;
    show(data);
    if (same && action !== "undo") { Object.assign(chosen, keep); focus = f; drawQuestion(); }
    return data;
  } catch (e) {
    say(e.message, true);
    return null;
  }
}

function pick(value) {
  const q = currentQuestion();
  if (!q) return;
  if (q.kind === "multi" && value !== "") {
    const set = new Set((valueOf(q) || "").split("|").filter(Boolean));
    set.has(value) ? set.delete(value) : set.add(value);
    value = q.options.map((o) => o.value).filter((v) => set.has(v)).join("|");
  }
  chosen[q.id] = value;
  decide("answer", q.id, value).then(() => {
    if (q.kind !== "multi" && focus < focusList.length - 1) { focus += 1; drawQuestion(); }
  });
}

async function accept() {
  if (!current) return;
  if (current.kind === "page") { say("Mục này chỉ có thể loại (Delete) hoặc gán mã.", true); return; }
  if (current.kind === "response" && !current.unit) {
    say("Chọn đơn vị của câu trả lời này trước.", true); $("rowunit").focus(); return;
  }
  for (const q of current.questions.filter((q) => q.doubt && q.decided === null)) {
    if (!(q.id in chosen) || chosen[q.id] === "*") {
      say(`Câu ${q.number} chưa được chọn.`, true);
      focus = focusList.indexOf(q.id); drawQuestion();
      return;
    }
    const done = await decide("answer", q.id, chosen[q.id]);
    if (!done) return;
  }
  const done = await decide("accept");
  if (done) { say("Đã chấp nhận."); next(); }
}

async function reject() {
  if (!current) return;
  const done = await decide("reject");
  if (done) { say("Đã loại. Nhấn U ở mục trước để hoàn tác."); next(); }
}

async function keep(which) {
  // keeping the first scan settles this page: go on; keeping this one, or counting it as
  // another paper, opens its sheet
  const before = current.item;
  const done = await decide("keep", "", which);
  if (done && done.item && done.item.item === before) next();
}

async function secondScan() {
  if (!current) return;
  const done = await decide("second-scan");
  if (done) { say("Đã coi là bản quét lại, không tính. Nhấn U để hoàn tác."); next(); }
}

async function next() {
  try {
    if (current) history.push(current.item);
    show(await api("/api/next", {after: current ? current.item : ""}));
  } catch (e) { say(e.message, true); }
}

async function open(item) {
  try { show(await api("/api/open", {item})); } catch (e) { say(e.message, true); }
}

function back() {
  const item = history.pop();
  if (item) open(item); else say("Không có mục trước.", true);
}

function typing(e) {
  return ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName);
}

document.addEventListener("keydown", (e) => {
  if ($("namebox").open) return;
  if (typing(e)) {
    if (e.key === "Escape") e.target.blur();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) {
    if (e.ctrlKey && e.key.toLowerCase() === "z") { e.preventDefault(); decide("undo"); }
    return;
  }
  const key = e.key;
  if (current && current.kind === "page" && current.first && ["1", "2", "3"].includes(key)) {
    keep({1: "first", 2: "second", 3: "copy"}[key]); e.preventDefault(); return;
  }
  const q = currentQuestion();
  if (q && q.options.some((o) => o.value === key)) { pick(key); e.preventDefault(); return; }
  switch (key) {
    case "0": case "-": if (q) pick(""); break;
    case "ArrowDown": case "Tab": if (focus < focusList.length - 1) focus += 1; drawQuestion(); break;
    case "ArrowUp": if (focus > 0) focus -= 1; drawQuestion(); break;
    case "Enter": accept(); break;
    case "Delete": reject(); break;
    case "u": case "U": decide("undo"); break;
    case "ArrowLeft": case "Backspace": back(); break;
    case "ArrowRight": next(); break;
    case "t": case "T": { const t = document.querySelector("#texts textarea"); if (t) t.focus(); break; }
    default: return;
  }
  e.preventDefault();
});

$("identity").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = await decide("identity", "", $("sheetid").value);
  if (data) say(`Đã gán mã ${data.item.sheet_id}.`);
});
for (const b of document.querySelectorAll("#duplicate button")) {
  b.addEventListener("click", () => keep(b.dataset.keep));
}
$("secondscan").addEventListener("click", secondScan);
$("rowunit").addEventListener("change", async () => {
  const value = $("rowunit").value;
  if (!value) return;
  const data = await decide("unit", "", value);
  if (data) { say(`Đã chọn đơn vị ${value}.`); $("rowunit").blur(); }
});
$("accept").addEventListener("click", accept);
$("reject").addEventListener("click", reject);
$("undo").addEventListener("click", () => decide("undo"));
$("back").addEventListener("click", back);
$("skip").addEventListener("click", next);
$("unit").addEventListener("change", () => { current = null; next(); });
$("reason").addEventListener("change", () => { current = null; next(); });
$("rename").addEventListener("click", () => askName());

function askName() {
  $("name").value = reviewer;
  $("namebox").showModal();
}
$("nameform").addEventListener("submit", () => {
  reviewer = $("name").value.trim();
  if (!reviewer) { setTimeout(askName); return; }
  localStorage.setItem("phieu-reviewer", reviewer);
  $("who").textContent = reviewer;
  if (!current) next();
});

$("who").textContent = reviewer;
if (reviewer) next(); else askName();
