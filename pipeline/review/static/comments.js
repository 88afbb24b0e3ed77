// The comment queue: type what a box says, Enter for the next. Every text from a scan or a
// person is set with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const THEMES = JSON.parse($("themes").textContent);

let current = null;    // the box shown
const saved = [];      // boxes saved in this session, for undo

function say(text, bad = false) {
  $("msg").textContent = text;
  $("msg").className = bad ? "bad" : "";
}

const api = post;  // post.js: one request at a time, in order

function showThemes(picked) {
  const list = $("themelist");
  list.replaceChildren();
  for (const t of THEMES) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = t.value;
    box.checked = picked.includes(t.value);
    box.dataset.key = t.key;
    label.append(box, ` Alt+${t.key} · ${t.label}`);
    list.append(label);
  }
}

function show(data) {
  const p = data.progress;
  $("progress").textContent = `Đã gõ ${p.typed}/${p.total} ý kiến · còn ${p.left}`;
  $("bar").max = Math.max(p.total, 1);
  $("bar").value = p.typed;
  current = data.item;
  if (!current) {
    $("heading").textContent = "Không còn ý kiến nào cần gõ.";
    $("where").textContent = "";
    $("cropimg").removeAttribute("src");
    $("crop").hidden = true;
    $("text").value = "";
    showThemes([]);
    return;
  }
  $("crop").hidden = false;
  $("heading").textContent = current.label;
  $("where").textContent = `${current.unit_name} · phiếu ${current.sheet_id}`;
  $("cropimg").src = current.image;
  $("text").value = current.text || "";
  showThemes(current.themes || []);
  $("text").focus();
}

function picked() {
  return Array.from(document.querySelectorAll("#themelist input:checked"), (b) => b.value);
}

async function run(path, body, after = "") {
  try {
    show(await api(path, body));
    if (after) say(after);
  } catch (e) {
    say(e.message, true);
  }
}

function save(state) {
  if (!current) return;
  const item = current.item;
  const text = state === "typed" ? $("text").value : "";
  if (state === "typed" && !text.trim()) {
    say("Chưa gõ gì: ô chỉ có nét gạch thì bấm F2 (Không có ý kiến).", true);
    return;
  }
  saved.push(item);
  run("/api/comments/save", {item, state, text, themes: picked().join("|")},
      {typed: "Đã lưu.", none: "Đã ghi: không có ý kiến.",
       unreadable: "Đã ghi: không đọc được."}[state]);
}

function undo() {
  const item = saved.pop();
  if (!item) {
    say("Chưa lưu ý kiến nào trong lần này để hoàn tác.", true);
    return;
  }
  run("/api/comments/undo", {item}, "Đã hoàn tác: gõ lại ý kiến này.");
}

function next() {
  run("/api/comments/next", {after: current ? current.item : ""});
}

function askName() {
  $("name").value = reviewer;
  $("namebox").showModal();
}

$("nameform").addEventListener("submit", () => {
  reviewer = $("name").value.trim();
  localStorage.setItem("phieu-reviewer", reviewer);
  $("who").textContent = reviewer;
  next();
});
$("rename").addEventListener("click", askName);
$("save").addEventListener("click", () => save("typed"));
$("none").addEventListener("click", () => save("none"));
$("unreadable").addEventListener("click", () => save("unreadable"));
$("undo").addEventListener("click", undo);
$("skip").addEventListener("click", next);

document.addEventListener("keydown", (ev) => {
  if ($("namebox").open) return;
  if (ev.key === "Enter" && !ev.shiftKey && ev.target === $("text")) {
    ev.preventDefault();
    save("typed");
  } else if (ev.key === "F2") {
    ev.preventDefault();
    save("none");
  } else if (ev.key === "F4") {
    ev.preventDefault();
    save("unreadable");
  } else if (ev.key === "F8") {
    ev.preventDefault();
    undo();
  } else if (ev.altKey && /^[1-9]$/.test(ev.key)) {
    const box = document.querySelector(`#themelist input[data-key="${ev.key}"]`);
    if (box) {
      ev.preventDefault();
      box.checked = !box.checked;
    }
  }
});

if (reviewer) {
  $("who").textContent = reviewer;
  next();
} else {
  askName();
}
