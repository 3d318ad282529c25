/* Jobdesk dashboard: keeps figures, progress bars, job states and logs current by
   polling small JSON feeds. Polling stops while the tab is hidden. Values are written
   with textContent only, so nothing a user typed is ever parsed as HTML. */
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

  function jobRows(root) {
    poller(function () {
      var rows = root.querySelectorAll("tr[data-job-id]");
      if (!rows.length) { return Promise.resolve(false); }
      var query = Array.prototype.map.call(rows, function (r) { return "id=" + encodeURIComponent(r.dataset.jobId); });
      return getJSON(root.dataset.poll + "?" + query.join("&")).then(function (data) {
        data.jobs.forEach(function (job) {
          var row = root.querySelector('tr[data-job-id="' + CSS.escape(job.id) + '"]');
          if (!row) { return; }
          var status = row.querySelector("[data-status]");
          if (status) { setStatus(status, job.status); }
          var bar = row.querySelector("[data-progress]");
          if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
        });
      });
    }, INTERVAL);
  }

  function logRow(line) {
    var tr = document.createElement("tr");
    [line.time.slice(11, 23), line.event, line.level, line.attempt === null ? "" : line.attempt, line.message]
      .forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
    return tr;
  }

  function jobDetail(root, feed) {
    var after = feed.after;
    var finished = feed.finished;
    poller(function () {
      return getJSON(feed.url + "?after=" + after).then(function (data) {
        setStatus(root.querySelector("[data-status]"), data.status);
        root.querySelector("[data-progress]").value = data.progress;
        root.querySelector("[data-progress-text]").textContent = data.progress + " %";
        root.querySelector("[data-progress-message]").textContent = data.progress_message;
        root.querySelector("[data-attempts]").textContent = data.attempts;
        var log = root.querySelector("[data-log]");
        data.logs.forEach(function (line) { log.appendChild(logRow(line)); after = line.id; });
        var wasFinished = finished;
        finished = data.finished;
        return !(finished && wasFinished && !data.logs.length);
      });
    }, feed.finished ? INTERVAL * 3 : INTERVAL);
  }

  function charts() {
    var images = document.querySelectorAll("img[data-refresh]");
    if (!images.length) { return; }
    poller(function () {
      images.forEach(function (img) {
        var url = new URL(img.src, window.location.href);
        url.searchParams.set("t", Date.now());
        img.src = url.toString();
      });
      return Promise.resolve(true);
    }, CHART_INTERVAL);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-poll][data-kind="overview"]').forEach(overview);
    document.querySelectorAll('[data-poll][data-kind="jobs"]').forEach(jobRows);
    var feed = document.getElementById("job-feed");
    if (feed) { jobDetail(document.querySelector('[data-kind="job"]'), JSON.parse(feed.textContent)); }
    charts();
  });
})();
