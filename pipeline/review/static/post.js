// What both review pages share: who is working (a name kept in this browser, a session per
// tab) and posting to the server, one request at a time.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

let session = sessionStorage.getItem("phieu-session");
if (!session) {
  session = Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem("phieu-session", session);
}
let reviewer = localStorage.getItem("phieu-reviewer") || "";

// in the order they were made: a decision's answer never lands after (and undoes on the
// page) the answer to a later one
let inFlight = Promise.resolve();

function post(path, body) {
  const run = inFlight.then(() => send(path, body));
  inFlight = run.catch(() => {});
  return run;
}

async function send(path, body) {
  const resp = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken,
              "X-Reviewer": encodeURIComponent(reviewer), "X-Session": session},
    body: JSON.stringify(body),
  });
  const data = await resp.json().catch(() => ({error: `Lỗi ${resp.status}`}));
  if (!resp.ok) throw new Error(data.error || `Lỗi ${resp.status}`);
  return data;
}
