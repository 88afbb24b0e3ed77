// The phone's capture page: take a photo, shrink it here, send it, show the verdict large.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const WORDS = JSON.parse(document.getElementById("words").textContent);
const LONG_SIDE = 2000;  // what the reader needs of an A4 page, and a quick upload
const QUALITY = 0.85;
const $ = (id) => document.getElementById(id);

// this phone's own id, kept in its browser: its counts and its photos to take again
let phone = localStorage.getItem("phieu-phone");
if (!phone) {
  phone = Array.from(crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  localStorage.setItem("phieu-phone", phone);
}

let shown = 0;  // verdicts shown: a test or a benchmark waits on this

async function shrink(file) {
  // the photo as the reader needs it: long side LONG_SIDE at most, JPEG, turned upright
  const bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
  const k = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * k);
  canvas.height = Math.round(bitmap.height * k);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error("shrink"))), "image/jpeg", QUALITY));
}

async function send(path, body, type) {
  // sent again when the network drops it: the server knows a photo by its content, so a
  // photo that did arrive the first time is not counted twice
  let wait = 800;
  for (let attempt = 1; ; attempt++) {
    try {
      const resp = await fetch(path, {
        method: "POST", body,
        headers: {"Content-Type": type, "X-CSRF-Token": csrfToken, "X-Phone": phone},
      });
      const data = await resp.json().catch(() => ({error: `Lỗi ${resp.status}`}));
      if (resp.ok) return data;
      if (resp.status < 500 || attempt >= 4) throw new Error(data.error || `Lỗi ${resp.status}`);
    } catch (e) {
      if (!(e instanceof TypeError) || attempt >= 4) throw e;  // TypeError: no network
    }
    showWorking(`Mạng chập chờn, đang gửi lại (lần ${attempt + 1})…`);
    await new Promise((r) => setTimeout(r, wait));
    wait *= 2;
  }
}

function showWorking(text) {
  const box = $("verdict");
  box.className = "verdict idle";
  $("verdict-words").textContent = "Đang đọc…";
  $("verdict-detail").textContent = text;
  $("verdict-problems").replaceChildren();
  $("keep").hidden = true;
}

function detail(v) {
  // a form of several pages is photographed a page at a time
  const page = v.pages > 1 && v.page ? ` · trang ${v.page}/${v.pages}` : "";
  const sheet = v.sheet ? `Phiếu ${v.sheet}${page}` + (v.unit ? ` · ${v.unit}` : "") : "";
  const again = v.again ? " (ảnh này đã gửi trước đó)" : "";
  switch (v.verdict) {
    case "read": return `${sheet} · ${v.answered} câu đã trả lời${again}`;
    case "known": return `${sheet}: đã có trong đợt khảo sát, ảnh này không tính thêm.`;
    case "review": return `${sheet} · đã tính; người duyệt sẽ xem ` +
      (v.doubts.length ? `câu ${v.doubts.join(", ")}` : "lại tờ phiếu") + again;
    case "blank": return `${sheet}: chưa điền gì, không tính là phiếu thu về.`;
    case "retake": return (sheet ? sheet + ": " : "") + "ảnh chưa đọc được. Chụp lại tờ này:";
    case "foreign": return "Không thấy phiếu của đợt khảo sát này trong ảnh. Nếu đúng là " +
      "phiếu của đợt, chụp lại thẳng từ trên xuống, đủ sáng.";
    default: return "";
  }
}

function showVerdict(v) {
  const box = $("verdict");
  box.className = `verdict ${v.verdict}`;
  box.dataset.verdict = v.verdict;
  box.dataset.capture = v.capture;
  $("verdict-words").textContent = v.words;
  $("verdict-detail").textContent = detail(v);
  $("verdict-problems").replaceChildren(...v.problems_vi.map((t) => {
    const li = document.createElement("li");
    li.textContent = t;
    return li;
  }));
  $("keep").hidden = !(v.verdict === "retake" || v.verdict === "foreign");
  showCounts(v.counts);
  box.dataset.n = String(++shown);
}

function showError(message) {
  const box = $("verdict");
  box.className = "verdict error";
  box.dataset.verdict = "error";
  $("verdict-words").textContent = "Chưa gửi được ảnh";
  $("verdict-detail").textContent = message + " Chụp lại tờ này.";
  $("verdict-problems").replaceChildren();
  $("keep").hidden = true;
  box.dataset.n = String(++shown);
}

function showCounts(c) {
  const line = (n) => `đã chụp ${n.taken}, đọc được ${n.read}, cần chụp lại ${n.retake}`;
  $("mine").textContent = line(c.phone);
  $("every").textContent = `${line(c.all)}; ${c.sheets.ok} phiếu đã đọc chắc chắn, ` +
    `${c.sheets.flagged} phiếu chờ duyệt`;
  $("pending").textContent = c.pending.length
    ? "Ảnh cần chụp lại chưa chụp: " + c.pending.map((p) => p.sheet || "(chưa rõ mã)").join(", ")
    : "";
}

function busy(on) {
  $("shoot").classList.toggle("busy", on);
  $("photo").disabled = on;
}

$("photo").addEventListener("change", async () => {
  const file = $("photo").files[0];
  if (!file) return;
  busy(true);
  showWorking("Đang thu nhỏ và gửi ảnh…");
  try {
    // a browser that cannot shrink it sends the camera's own photo: slower, read the same
    const blob = await shrink(file).catch(() => file);
    showVerdict(await send("/api/photo", blob, blob.type || "image/jpeg"));
  } catch (e) {
    showError(e.message);
  } finally {
    $("photo").value = "";
    busy(false);
  }
});

$("keep").addEventListener("click", async () => {
  const capture = Number($("verdict").dataset.capture);
  busy(true);
  showWorking("Đang gửi ảnh cho người duyệt…");
  try {
    showVerdict(await send("/api/keep", JSON.stringify({capture}), "application/json"));
  } catch (e) {
    showError(e.message);
  } finally {
    busy(false);
  }
});

send("/api/counts", "{}", "application/json").then(showCounts).catch(() => {});
