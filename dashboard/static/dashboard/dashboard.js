/* Jobdesk dashboard: keeps figures, job lists, job pages and timelines current by
   polling small feeds. Polling stops while the tab is hidden, and list updates while
   the "Pause live updates" toggle is on. Values are written with textContent; the only
   HTML inserted is what the server rendered with the pages' own (autoescaping)
   templates, so nothing a user typed is ever parsed as markup. */
(function () {
  "use strict";
  var INTERVAL = 2000;
  var CHART_INTERVAL = 30000;
  var pollers = [];

  function poller(run, interval) {
    var timer = null;
    var stopped = false;
    function tick() {
      timer = null;
      if (stopped || document.visibilityState === "hidden") { return; }
      run().then(function (again) {
        if (again === false) { stopped = true; return; }
        schedule();
      }, schedule);
    }
    function schedule() { if (!stopped && timer === null) { timer = setTimeout(tick, interval); } }
    var self = { schedule: schedule, pause: function () { clearTimeout(timer); timer = null; } };
    pollers.push(self);
    schedule();
    return self;
  }

  document.addEventListener("visibilitychange", function () {
    pollers.forEach(function (p) { if (document.visibilityState === "hidden") { p.pause(); } else { p.schedule(); } });
  });

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function fmt(field, value) {
    if (value === null || value === undefined) { return "–"; }
    if (field === "throughput_per_minute") { return Number(value).toFixed(1); }
    if (field.indexOf("runtime_") === 0) { return Number(value).toFixed(3); }
    if (field === "oldest_waiting_age") { return Math.round(value) + " s"; }
    if (field === "success_rate") { return ((1 - value) * 100).toFixed(1) + " %"; }
    return String(value);
  }

  function setStatus(el, text) {
    el.textContent = text;
    el.className = el.className.replace(/\bst-[a-z_]+/g, "").trim() + " st-" + text;
  }

  function overview(root) {
    poller(function () {
      return getJSON(root.dataset.poll).then(function (data) {
        data.queues.forEach(function (q) {
          var row = root.querySelector('tr[data-queue="' + CSS.escape(q.queue) + '"]');
          if (!row) { return; }
          row.querySelectorAll("[data-field]").forEach(function (cell) {
            var field = cell.dataset.field;
            if (field === "paused") {
              var badge = cell.querySelector(".status");
              if (badge) { setStatus(badge, q.paused ? "paused" : "active"); }
            } else if (field === "failure_rate") {
              cell.textContent = fmt("success_rate", q.success_rate);
            } else if (field in q) {
              cell.textContent = fmt(field, q[field]);
            }
          });
        });
        Object.keys(data.totals).forEach(function (key) {
          var el = root.querySelector('[data-field="totals.' + key + '"]');
          if (el) { el.textContent = fmt(key, data.totals[key]); }
        });
        var alive = root.querySelector('[data-field="workers_alive"]');
        if (alive) { alive.textContent = data.workers_alive; }
        var sched = root.querySelector('[data-field="scheduler"]');
        if (sched) {
          var age = data.scheduler_age;
          sched.textContent = age === null ? "no heartbeat" : data.scheduler_alive ? "alive" : "stale (" + Math.round(age) + " s)";
        }
      });
    }, INTERVAL);
  }

  var LIVE_KEY = "jobdesk.live.paused";

  function livePaused() { return window.localStorage.getItem(LIVE_KEY) === "1"; }

  function liveToggles() {
    document.querySelectorAll("[data-live-toggle]").forEach(function (button) {
      function show() {
        var paused = livePaused();
        button.setAttribute("aria-pressed", paused ? "true" : "false");
        button.textContent = paused ? "Resume live updates" : "Pause live updates";
      }
      button.hidden = false;
      show();
      button.addEventListener("click", function () {
        window.localStorage.setItem(LIVE_KEY, livePaused() ? "0" : "1");
        show();
      });
    });
  }

  function checkedIds(body) {
    var ids = {};
    body.querySelectorAll("input[name=ids]:checked").forEach(function (box) { ids[box.value] = true; });
    return ids;
  }

  function liveRows(root) {
    var body = root.querySelector("[data-rows]");
    var seen = {};
    body.querySelectorAll("tr[data-job-id]").forEach(function (row) { seen[row.dataset.jobId] = true; });
    var last = null;
    poller(function () {
      if (livePaused()) { return Promise.resolve(true); }
      return getJSON(root.dataset.live).then(function (data) {
        Object.keys(data.counts).forEach(function (key) {
          var count = document.querySelector('[data-count="' + key + '"]');
          if (count) { count.textContent = data.counts[key]; }
        });
        if (data.html === last) { return; }
        last = data.html;
        var keep = checkedIds(body);
        body.innerHTML = data.html;
        body.querySelectorAll("tr[data-job-id]").forEach(function (row) {
          var box = row.querySelector("input[name=ids]");
          if (box && keep[box.value]) { box.checked = true; }
          if (!seen[row.dataset.jobId]) { row.classList.add("fresh"); seen[row.dataset.jobId] = true; }
        });
      });
    }, INTERVAL);
  }

  function jobDetail(root, feed) {
    var finished = feed.finished;
    var part = root.querySelector("[data-live-part]");
    var log = root.querySelector("[data-log]");
    var last = null;
    var lastLog = null;
    poller(function () {
      return getJSON(feed.url + "?kind=" + encodeURIComponent(feed.kind)).then(function (data) {
        var changed = data.html !== last || data.log_html !== lastLog;
        if (data.html !== last) { part.innerHTML = data.html; last = data.html; }
        if (data.log_html !== lastLog) { log.innerHTML = data.log_html; lastLog = data.log_html; }
        var wasFinished = finished;
        finished = data.finished;
        return !(finished && wasFinished && !changed);
      });
    }, feed.finished ? INTERVAL * 3 : INTERVAL);
  }

  var THEME_KEY = "jobdesk.theme";
  var THEMES = ["system", "light", "dark"];

  function applyTheme(theme) {
    if (theme === "system") { delete document.documentElement.dataset.theme; }
    else { document.documentElement.dataset.theme = theme; }
  }

  function themeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) { return; }
    var theme = window.localStorage.getItem(THEME_KEY) || "system";
    function show() { button.textContent = "Theme: " + theme; }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
      window.localStorage.setItem(THEME_KEY, theme);
      applyTheme(theme);
      show();
    });
  }

  applyTheme(window.localStorage.getItem(THEME_KEY) || "system");

  /* Charts arrive as <img> (readable without script); the SVG is then fetched and put
     inline, where each point's <title> shows its value on hover, and refreshed. */
  function charts() {
    var figures = document.querySelectorAll("[data-chart]");
    if (!figures.length) { return; }
    function draw() {
      return Promise.all(Array.prototype.map.call(figures, function (figure) {
        return fetch(figure.dataset.chart, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          return r.text();
        }).then(function (svg) { figure.innerHTML = svg; });
      })).then(function () { return true; });
    }
    draw().then(function () { poller(draw, CHART_INTERVAL); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-poll][data-kind="overview"]').forEach(overview);
    document.querySelectorAll('[data-live][data-kind="jobs"]').forEach(liveRows);
    liveToggles();
    themeToggle();
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    var feed = document.getElementById("job-feed");
    if (feed) { jobDetail(document.querySelector('[data-kind="job"]'), JSON.parse(feed.textContent)); }
    charts();
  });
})();
