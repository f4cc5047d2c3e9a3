// SpiderPig's browser side: no framework, no inline script (the CSP forbids it). Every string from the server or
// a job is put into the page with textContent, never as HTML.
"use strict";
(function () {
  const body = document.body;
  const page = body.dataset.page;
  const csrf = body.dataset.csrf || "";
  const me = body.dataset.user || "";
  const role = body.dataset.role || "";
  const isAdmin = role === "admin";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else if (key === "text") node.textContent = value;
      else node[key] = value;
    }
    for (const child of children) node.append(child);
    return node;
  }

  async function api(method, path, payload) {
    const response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    return data;
  }

  function when(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleString();
  }

  function duration(job) {
    if (!job.startedAt) return "";
    const end = job.endedAt || Date.now() / 1000;
    const s = Math.round(end - job.startedAt);
    return s >= 60 ? Math.floor(s / 60) + " min " + (s % 60) + " s" : s + " s";
  }

  // A backport's changes: number, title, project and branch (all as text). A security change's title stays hidden.
  function changeList(job) {
    if (!job.changes || !job.changes.length) return document.createTextNode(job.summary);
    const list = el("ul", { class: "changes" });
    for (const change of job.changes) {
      const item = el("li", { "data-change": String(change.number || change.id) },
        el("span", { class: "change-number", text: change.number ? String(change.number) : change.id }));
      if (change.security) item.append(el("span", { class: "change-security", text: "security change (details hidden)" }));
      else if (change.subject) item.append(el("span", { class: "change-subject", text: change.subject }));
      else item.append(el("span", { class: "muted", text: "details when scap reads it" }));
      const where = [change.project, change.branch].filter(Boolean).join(" · ");
      if (where) item.append(el("span", { class: "change-where", text: where }));
      list.append(item);
    }
    return list;
  }

  function notify(title, text) {
    if (!("Notification" in window)) return;
    if (Notification.permission === "granted") new Notification(title, { body: text, requireInteraction: true });
  }
  if ("Notification" in window && Notification.permission === "default" && page !== "login" && page !== "otp") {
    document.addEventListener("click", () => Notification.requestPermission(), { once: true });
  }

  const logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", async () => {
    try { await api("POST", "/api/logout"); } finally { location.href = "/login"; }
  });

  // The live channel: reconnects with the last sequence number it saw, so nothing is lost or doubled.
  function live(jobID, handlers) {
    let last = 0;
    let delay = 500;
    let socket = null;
    let sensitive = false;
    const dot = document.getElementById("live");
    function open() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      let url = proto + "//" + location.host + "/ws?after=" + last;
      if (jobID) url += "&job=" + jobID + (sensitive ? "&sensitive=1" : "");
      socket = new WebSocket(url);
      socket.onopen = () => { delay = 500; if (dot) dot.classList.add("on"); };
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "records") {
          for (const record of message.records) {
            if (record.seq <= last) continue;
            last = record.seq;
            // One record that cannot be shown must not lose the rest of the batch.
            try { handlers.record && handlers.record(record); } catch (e) { console.error(e); }
          }
        } else if (message.type === "queue") {
          handlers.queue && handlers.queue(message);
        }
      };
      socket.onclose = (event) => {
        if (dot) dot.classList.remove("on");
        if (event.code === 1008) { location.href = "/login"; return; }
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
    return {
      restart(withSensitive) { sensitive = withSensitive; last = 0; handlers.reset && handlers.reset(); socket.close(); },
    };
  }

  const stateNames = {
    queued: "queued", awaiting_ready: "asked: ready?", set_aside: "set aside", running: "running",
    deployed: "deployed: finish it", finished: "finished", failed: "failed", cancelled: "cancelled",
    interrupted: "interrupted",
  };

  function renderQueue(snapshot, tbody, withAdmin) {
    const banner = document.getElementById("frozen");
    if (banner) {
      banner.hidden = !snapshot.frozen;
      banner.textContent = snapshot.frozen ? "Deployments are frozen: " + snapshot.frozenReason : "";
    }
    tbody.replaceChildren();
    const prompts = document.getElementById("ready-prompts");
    if (prompts) prompts.replaceChildren();
    snapshot.jobs.forEach((job, index) => {
      const actions = el("td", { class: "row-actions" });
      const mine = job.owner === me;
      if ((mine || isAdmin) && ["queued", "awaiting_ready", "set_aside"].includes(job.state)) {
        actions.append(el("button", { text: "Cancel", class: "link", "data-cancel": job.id,
          onclick: () => api("POST", "/api/jobs/" + job.id + "/cancel").catch(alert) }));
      }
      if ((mine || isAdmin) && job.state === "set_aside") {
        actions.append(el("button", { text: "Requeue", class: "link",
          onclick: () => api("POST", "/api/jobs/" + job.id + "/requeue").catch(alert) }));
      }
      if (withAdmin && ["queued", "set_aside"].includes(job.state)) {
        actions.append(el("button", { text: "↑", class: "link", title: "move up",
          onclick: () => api("POST", "/api/admin/move", { job: job.id, index: Math.max(index - 1, 0) }).catch(alert) }));
      }
      const link = el("a", { href: "/jobs/" + job.id, text: "#" + job.id });
      const row = el("tr", { "data-job": job.id }, el("td", { text: String(index + 1) }), el("td", {}, link),
        el("td", {}, changeList(job)), el("td", { text: job.owner + (mine ? " (you)" : "") }),
        el("td", { class: "state " + job.state, text: stateNames[job.state] || job.state }), actions);
      tbody.append(row);
      if (prompts && mine && job.state === "awaiting_ready") {
        const box = el("div", { class: "prompt", "data-ready": job.id },
          el("p", { text: "Job #" + job.id + " (" + job.summary + ") is at the head of the queue. Ready to deploy?" }),
          el("button", { text: "Ready", "data-answer": "ready",
            onclick: () => api("POST", "/api/jobs/" + job.id + "/ready", { ready: true })
              .then(() => { location.href = "/jobs/" + job.id; }).catch(alert) }),
          el("button", { text: "Not now", class: "link",
            onclick: () => api("POST", "/api/jobs/" + job.id + "/ready", { ready: false }).catch(alert) }));
        prompts.append(box);
      }
    });
    const empty = document.getElementById("queue-empty");
    if (empty) empty.hidden = snapshot.jobs.length > 0;
  }

  async function loadHistory() {
    const tbody = document.getElementById("history");
    if (!tbody) return;
    const data = await api("GET", "/api/jobs?limit=20");
    tbody.replaceChildren();
    for (const job of data.jobs) {
      tbody.append(el("tr", {}, el("td", {}, el("a", { href: "/jobs/" + job.id, text: "#" + job.id })),
        el("td", {}, changeList(job)), el("td", { text: job.owner }), el("td", { text: when(job.startedAt) }),
        el("td", { text: duration(job) }),
        el("td", { class: "state " + job.state, text: (stateNames[job.state] || job.state) +
          (job.exitStatus !== undefined && job.exitStatus !== 0 ? " (" + job.exitStatus + ")" : "") })));
    }
  }

  let seenReady = new Set();
  if (page === "index") {
    const form = document.getElementById("request-deploy");
    if (form) form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const fields = new FormData(form);
      const error = document.getElementById("request-error");
      try {
        await api("POST", "/api/jobs", { kind: "deploy", repository: fields.get("repository"),
          revision: fields.get("revision") || null, message: fields.get("message") });
        error.hidden = true;
        form.reset();
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    // The backport form: checked here for a quick answer, and by the server (which decides); the error is shown
    // under the field it is about.
    const backport = document.getElementById("request-backport");
    if (backport) {
      const field = document.getElementById("backport-changes");
      const error = document.getElementById("backport-error");
      const showError = (message) => {
        error.textContent = message; error.hidden = !message;
        field.setAttribute("aria-invalid", message ? "true" : "false");
      };
      const changePattern = /^(\d{1,10}|refs\/changes\/\d\d\/\d{1,10}\/\d{1,10}|https?:\/\/\S+)$/;
      field.addEventListener("input", () => showError(""));
      backport.addEventListener("submit", async (event) => {
        event.preventDefault();
        const words = field.value.split(/[\s,]+/).filter(Boolean);
        const bad = words.filter((word) => !changePattern.test(word));
        if (!words.length) { showError("Name at least one change: a number, a Gerrit URL or a ref."); field.focus(); return; }
        if (bad.length) { showError("Not a change: " + bad.slice(0, 5).join(", ")); field.focus(); return; }
        try {
          await api("POST", "/api/jobs", { kind: "backport", changes: words });
          showError("");
          backport.reset();
        } catch (e) { showError(e.message); field.focus(); }
      });
    }
    live(null, {
      queue(snapshot) {
        renderQueue(snapshot, document.getElementById("queue"), false);
        for (const job of snapshot.jobs) {
          if (job.owner === me && job.state === "awaiting_ready" && !seenReady.has(job.id)) {
            seenReady.add(job.id);
            notify("SpiderPig needs you", "Job #" + job.id + " is ready to deploy");
          }
        }
        loadHistory().catch(() => {});
      },
    });
  }

  if (page === "admin") {
    const result = document.getElementById("admin-result");
    const show = (promise) => promise.then((r) => { result.textContent = r.message; }).catch((e) => { result.textContent = e.message; });
    document.getElementById("freeze").addEventListener("submit", (event) => {
      event.preventDefault();
      show(api("POST", "/api/admin/freeze", { reason: new FormData(event.target).get("reason") || "frozen" }));
    });
    document.getElementById("unfreeze").addEventListener("click", () => show(api("POST", "/api/admin/unfreeze", {})));
    document.getElementById("logout-all").addEventListener("click", () => {
      if (confirm("Log out everyone, including you?")) show(api("POST", "/api/admin/logout-all", {}));
    });
    document.getElementById("user-action").addEventListener("submit", (event) => {
      event.preventDefault();
      const action = event.submitter ? event.submitter.value : "logout";
      show(api("POST", "/api/admin/" + action, { user: new FormData(event.target).get("user") }));
    });
    live(null, { queue(snapshot) { renderQueue(snapshot, document.getElementById("queue"), true); } });
  }

  if (page === "account") {
    const form = document.getElementById("enrol");
    const field = document.getElementById("enrol-code");
    const error = document.getElementById("enrol-error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = field.value.trim();
      const fail = (message) => {
        error.textContent = message; error.hidden = false; field.setAttribute("aria-invalid", "true"); field.focus();
      };
      if (!/^[0-9]{6}$/.test(code)) { fail("Enter the six digits of a one-time code."); return; }
      try {
        const data = await api("POST", "/api/otp/enrol", { code });
        error.hidden = true; field.setAttribute("aria-invalid", "false");
        document.getElementById("enrol-secret").textContent = data.secret;
        document.getElementById("enrol-url").textContent = data.url;
        const image = document.getElementById("enrol-qr");
        image.hidden = !data.qr;
        if (data.qr) image.src = data.qr;
        const qrError = document.getElementById("enrol-qr-error");
        qrError.hidden = !data.qrError;
        qrError.textContent = data.qrError || "";
        document.getElementById("enrolment").hidden = false;
        form.reset();
      } catch (e) { fail(e.message); }
    });
  }

  if (page === "otp") {
    document.getElementById("otp").addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = document.getElementById("otp-error");
      try {
        await api("POST", "/api/otp", { code: document.getElementById("otp-code").value.trim() });
        location.href = "/";
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
  }

  // ANSI SGR colours to spans (text only through textContent).
  function ansiSpans(text) {
    const parts = [];
    let classes = [];
    const pattern = /\x1b\[([0-9;]*)m/g;
    let index = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > index) parts.push([text.slice(index, match.index), classes.slice()]);
      for (const code of (match[1] || "0").split(";").map(Number)) {
        if (code === 0) classes = [];
        else if (code === 1) classes.push("b");
        else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) {
          classes = classes.filter((c) => !c.startsWith("f")); classes.push("f" + code);
        } else if (code === 39) classes = classes.filter((c) => !c.startsWith("f"));
      }
      index = pattern.lastIndex;
    }
    if (index < text.length) parts.push([text.slice(index), classes.slice()]);
    return parts.map(([part, cls]) => {
      const clean = part.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
      return cls.length ? el("span", { class: cls.join(" "), text: clean }) : document.createTextNode(clean);
    });
  }

  if (page === "job") {
    const jobID = Number(body.dataset.job);
    const log = document.getElementById("log");
    let job = null;
    let pending = null;
    let queued = [];
    let scheduled = false;

    function flush() {
      scheduled = false;
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      const fragment = document.createDocumentFragment();
      const batch = queued.splice(0, 2000);
      for (const node of batch) fragment.append(node);
      log.append(fragment);
      if (atBottom) log.scrollTop = log.scrollHeight;
      if (queued.length) schedule();
    }
    // Appends at the next frame; the timer covers pages whose frames are throttled (hidden tabs).
    function schedule() {
      if (!scheduled) { scheduled = true; requestAnimationFrame(flush); setTimeout(() => { if (scheduled) flush(); }, 250); }
    }
    function addLine(text, cls) {
      const line = el("div", { class: "line" + (cls ? " " + cls : "") });
      line.append(...ansiSpans(text));
      queued.push(line);
      schedule();
    }

    function canAct() { return job && (job.owner === me || isAdmin); }

    function renderPrompt() {
      for (const id of ["prompt-top", "prompt-bottom"]) {
        const box = document.getElementById(id);
        box.replaceChildren();
        box.hidden = !pending;
        if (!pending) continue;
        box.append(el("p", { class: "prompt-text", text: pending.prompt }));
        if (canAct()) {
          for (const choice of pending.choices) {
            box.append(el("button", { text: choice.label, "data-code": choice.code,
              onclick: () => api("POST", "/api/jobs/" + jobID + "/answer", { interaction: pending.id, code: choice.code })
                .catch((e) => alert(e.message)) }));
          }
        } else {
          box.append(el("p", { class: "muted", text: "Waiting for " + (job ? job.owner : "the owner") + " to answer." }));
        }
      }
    }

    function renderJob() {
      if (!job) return;
      document.getElementById("job-state").textContent = stateNames[job.state] || job.state;
      document.getElementById("job-state").className = "state " + job.state;
      document.getElementById("job-summary").replaceChildren(changeList(job));
      document.getElementById("job-owner").textContent = job.owner;
      document.getElementById("job-command").textContent = job.command.join(" ");
      document.getElementById("act-finish").hidden = !(canAct() && job.state === "deployed");
      document.getElementById("act-interrupt").hidden = !(canAct() && job.state === "running");
      document.getElementById("act-kill").hidden = !(canAct() && job.state === "running");
      document.getElementById("sensitive-toggle").hidden = !canAct();
    }

    function progress(p) {
      const bar = document.getElementById("job-progress");
      bar.style.width = (p ? p.tasksPercentComplete : 0) + "%";
      bar.title = p ? p.name + ": " + p.tasksFinishedOk + " ok, " + p.tasksFinishedFailed + " failed of " + p.totalTasks : "";
    }

    let lastHidden = false;
    const stream = live(jobID, {
      reset() { log.replaceChildren(); queued = []; },
      record(message) {
        const p = message.payload;
        if (message.kind !== "line") lastHidden = false;
        switch (message.kind) {
          case "line":
            if (message.sensitive && p.line === "<sensitive information hidden>") {
              if (!lastHidden) addLine(p.line, "hidden");
              lastHidden = true;
            } else { lastHidden = false; addLine(p.line, message.sensitive ? "sensitive" : ""); }
            break;
          case "status":
            document.getElementById("job-status").textContent = p.status || "–";
            progress(null);
            monitoring();
            break;
          case "progress": progress(p.progress); break;
          case "interaction":
            pending = { id: p.id, prompt: p.prompt, choices: p.choices };
            addLine("[prompt] " + p.prompt, "meta");
            renderPrompt();
            if (job && job.owner === me) notify("SpiderPig needs you", p.prompt);
            break;
          case "answer":
            addLine("[" + p.user + " answered '" + p.answer + "']", "meta");
            pending = null;
            renderPrompt();
            break;
          case "signal": addLine("[" + p.user + " sent " + p.signal + "]", "meta"); break;
          case "exit":
            addLine("[scap exited with status " + p.status + "]", "meta");
            pending = null; renderPrompt();
            if (job) { job.state = p.state; job.exitStatus = p.status; renderJob(); }
            break;
          case "state":
            if (job) { job.state = p.state; renderJob(); }
            if (p.message) addLine("[" + p.message + "]", "meta");
            break;
          case "changes":
            if (job) { job.changes = p.changes; renderJob(); }
            break;
          case "ready":
            addLine("[" + p.owner + " is asked: " + p.prompt + "]", "meta");
            break;
        }
      },
      queue(snapshot) {
        const mine = snapshot.jobs.find((j) => j.id === jobID);
        if (mine && job) { job.state = mine.state; renderJob(); }
      },
    });

    // The monitoring panel: one SVG line chart per configured Prometheus query, drawn when the page opens and
    // again at each status change of the job (pushed records, no polling).
    const svgNS = "http://www.w3.org/2000/svg";
    function svg(tag, attrs) {
      const node = document.createElementNS(svgNS, tag);
      for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
      return node;
    }
    function chart(series, jobStart) {
      const width = 560, height = 90, pad = 34;
      const box = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img" });
      const points = series.points;
      const title = el("h3", { text: series.name });
      if (points.length < 2) return el("div", { class: "chart-box" }, title, el("p", { class: "muted", text: "no data" }));
      const t0 = points[0][0], t1 = points[points.length - 1][0];
      let vmax = Math.max(...points.map((p) => p[1]));
      if (!(vmax > 0)) vmax = 1;
      const x = (t) => pad + (t - t0) / Math.max(t1 - t0, 1) * (width - pad - 8);
      const y = (v) => height - 18 - v / vmax * (height - 30);
      box.append(svg("line", { x1: pad, y1: height - 18, x2: width - 8, y2: height - 18, class: "axis" }));
      box.append(svg("polyline", { points: points.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" "), class: "series" }));
      if (jobStart && jobStart > t0 && jobStart < t1) {
        box.append(svg("line", { x1: x(jobStart), y1: 8, x2: x(jobStart), y2: height - 18, class: "marker" }));
      }
      const label = svg("text", { x: 2, y: 14, class: "label" });
      label.textContent = vmax.toPrecision(3);
      box.append(label);
      return el("div", { class: "chart-box" }, title, box);
    }
    function monitoring() {
      api("GET", "/api/jobs/" + jobID + "/monitoring").then((data) => {
        const section = document.getElementById("monitoring");
        section.hidden = !data.configured;
        if (!data.configured) return;
        document.getElementById("charts").replaceChildren(...data.series.map((s) => chart(s, data.jobStart)));
      }).catch(() => {});
    }
    monitoring();

    api("GET", "/api/jobs/" + jobID).then((data) => {
      job = data.job;
      renderJob();
      if (data.pending) pending = data.pending;
      renderPrompt();
      if (job.status) document.getElementById("job-status").textContent = job.status;
      if (job.progress) progress(job.progress);
    }).catch((e) => addLine("[" + e.message + "]", "meta"));

    document.getElementById("act-finish").addEventListener("click", () =>
      api("POST", "/api/jobs/" + jobID + "/finish").catch((e) => alert(e.message)));
    document.getElementById("act-interrupt").addEventListener("click", () => {
      if (confirm("Interrupt the job (Ctrl-C)?")) api("POST", "/api/jobs/" + jobID + "/signal", { signal: "interrupt" }).catch((e) => alert(e.message));
    });
    document.getElementById("act-kill").addEventListener("click", () => {
      if (confirm("Kill the job at once?")) api("POST", "/api/jobs/" + jobID + "/signal", { signal: "kill" }).catch((e) => alert(e.message));
    });
    document.getElementById("show-sensitive").addEventListener("change", (event) => {
      stream.restart(event.target.checked);
      document.getElementById("act-download").href = "/api/jobs/" + jobID + "/log" + (event.target.checked ? "?sensitive=1" : "");
    });
  }
})();
