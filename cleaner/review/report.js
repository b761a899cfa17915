"use strict";
// The review page's behaviour. Page text is untrusted: it only ever reaches the page through
// textContent, never as markup; the page's Content-Security-Policy refuses everything else.
(function () {
  const PAGE_SIZE = Number(document.getElementById("docs").dataset.pageSize);
  // the documents' lines are parsed only when first needed (a search, a whole text, a download):
  // a report of 10,000 documents opens without reading them all
  let parsed = null;
  const data = () => parsed || (parsed = JSON.parse(document.getElementById("data").textContent));
  const articles = Array.from(document.querySelectorAll("article.doc"));
  const marks = new Map(); // "doc:line" -> "body" (wrongly removed) | "junk" (junk that was kept)
  let unsaved = false; // marks changed since the last download: leaving the page would lose them
  const control = (id) => document.getElementById(id);
  let page = 0;
  let matching = articles;

  function matches(article) {
    const file = control("file").value.trim().toLowerCase();
    const search = control("search").value.trim().toLowerCase();
    const reason = control("reason").value;
    const band = control("band").value;
    const changed = control("changed");
    if (file && !article.dataset.path.toLowerCase().includes(file)) return false;
    if (reason && !article.dataset.hints.includes("|" + reason + "|")) return false;
    if (band && !article.dataset.bands.includes("|" + band + "|")) return false;
    if (changed && changed.checked && article.dataset.changed !== "1") return false;
    if (search && !data()[Number(article.dataset.i)].lines.join("\n").toLowerCase().includes(search)) return false;
    return true;
  }

  function dimLines(article) {
    const reason = control("reason").value;
    const band = control("band").value;
    for (const li of article.querySelectorAll("ol.removed li")) {
      const off = (reason && !li.dataset.hints.includes("|" + reason + "|")) || (band && li.dataset.band !== band);
      li.classList.toggle("dim", Boolean(off));
    }
  }

  function show() {
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const visible = new Set(matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE));
    for (const article of articles) {
      article.hidden = !visible.has(article);
      if (!article.hidden) dimLines(article);
    }
    control("shown").textContent = matching.length + " of " + articles.length + " documents";
    control("page").textContent = "page " + (page + 1) + " / " + pages;
  }

  function refilter() {
    matching = articles.filter(matches);
    page = 0;
    show();
  }

  function markButton(label) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mark";
    button.dataset.label = label;
    button.textContent = label === "body" ? "wrongly removed" : "junk that was kept";
    return button;
  }

  function fill(details, doc) {
    const box = document.createElement("div");
    doc.lines.forEach((text, number) => {
      const row = document.createElement("div");
      row.className = "line";
      row.dataset.line = String(number);
      const ln = document.createElement("span");
      ln.className = "ln";
      ln.textContent = String(number + 1);
      const score = document.createElement("span");
      score.className = "score";
      const body = document.createElement("span");
      body.className = "text";
      body.textContent = text;
      row.append(ln, score, body);
      const removed = doc.removed[String(number)];
      if (removed) {
        row.classList.add("removed");
        score.textContent = removed[0].toFixed(3);
        row.append(markButton("body"));
        const reason = document.createElement("span");
        reason.className = "reason";
        reason.textContent = removed[1];
        row.append(reason);
      } else if (text.trim()) {
        row.append(markButton("junk"));
      }
      box.append(row);
    });
    details.append(box);
    syncMarks(details.closest("article"));
  }

  function syncMarks(article) {
    const i = article.dataset.i;
    for (const el of article.querySelectorAll("[data-line]")) {
      el.classList.toggle("marked", marks.has(i + ":" + el.dataset.line));
    }
  }

  function toggleMark(button) {
    const article = button.closest("article");
    const holder = button.closest("[data-line]");
    const key = article.dataset.i + ":" + holder.dataset.line;
    if (marks.has(key)) marks.delete(key);
    else marks.set(key, button.dataset.label);
    syncMarks(article);
    unsaved = true;
    control("download").textContent = "Download corrections (" + marks.size + ")";
    control("download").disabled = marks.size === 0;
  }

  function corrections() {
    const byDoc = new Map();
    for (const [key, label] of marks) {
      const [i, line] = key.split(":").map(Number);
      if (!byDoc.has(i)) byDoc.set(i, []);
      byDoc.get(i).push({ line: line, text: data()[i].lines[line], label: label === "body" ? "body" : "junk" });
    }
    const records = [];
    for (const [i, fixes] of [...byDoc].sort((a, b) => a[0] - b[0])) {
      const doc = data()[i];
      fixes.sort((a, b) => a.line - b.line);
      records.push(JSON.stringify({
        path: doc.path,
        record: doc.record,
        source: doc.source,
        lines: doc.lines,
        removed: Object.keys(doc.removed).map(Number).sort((a, b) => a - b),
        corrections: fixes,
      }));
    }
    return records.length ? records.join("\n") + "\n" : "";
  }

  function download() {
    unsaved = false;
    const blob = new Blob([corrections()], { type: "application/jsonl" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "corrections.jsonl";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  for (const id of ["search", "file", "reason", "band", "changed"]) {
    const el = control(id);
    if (el) el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input", refilter);
  }
  control("prev").addEventListener("click", () => { page = Math.max(0, page - 1); show(); });
  control("next").addEventListener("click", () => { page += 1; show(); });
  control("download").addEventListener("click", download);
  window.addEventListener("beforeunload", (event) => {
    if (unsaved) { event.preventDefault(); event.returnValue = ""; } // returnValue: older browsers
  });
  document.getElementById("docs").addEventListener("click", (event) => {
    const button = event.target.closest("button.mark");
    if (button) toggleMark(button);
  });
  document.getElementById("docs").addEventListener("toggle", (event) => {
    const details = event.target;
    if (details.open && details.childElementCount === 1) fill(details, data()[Number(details.closest("article").dataset.i)]);
  }, true);
  refilter();
})();
