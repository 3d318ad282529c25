// The workflow page: poll its feed every 2 s while it runs and recolour the nodes.
(function () {
  "use strict";
  var source = document.getElementById("workflow-feed");
  if (!source) { return; }
  var feed = JSON.parse(source.textContent);
  function paint(data) {
    var status = document.querySelector("[data-workflow-status]");
    if (status) { status.textContent = data.status; status.className = "status st-" + data.status; }
    Object.keys(data.nodes).forEach(function (key) {
      var state = data.nodes[key];
      var colour = feed.colours[state] || "#6b7280";
      var group = document.querySelector('[data-node="' + key + '"]');
      if (group) {
        group.querySelector("[data-node-box]").setAttribute("stroke", colour);
        var label = group.querySelector("[data-node-state]");
        label.setAttribute("fill", colour);
        label.textContent = state + label.textContent.replace(/^[a-z]+/, "");
      }
      var row = document.querySelector('[data-node-row="' + key + '"]');
      if (row) { row.textContent = state; row.className = "status st-" + state; }
    });
    return data.status === "running";
  }
  function poll() {
    if (document.hidden) { setTimeout(poll, 2000); return; }
    fetch(feed.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (paint(data)) { setTimeout(poll, 2000); } })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (feed.status === "running") { setTimeout(poll, 2000); }
})();
