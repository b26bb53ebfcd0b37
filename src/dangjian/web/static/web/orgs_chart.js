/* Org chart (组织图): ECharts 'tree' series fed by orgs:chart_data; deeper levels load on click.
 * Drawn through core/charts.js (text-only tooltips); the "selected" panel is built with DOM text nodes. */
(function () {
  "use strict";
  var el = document.getElementById("org-chart");
  if (!el || !window.echarts || !window.DangjianCharts) { return; }
  var COLORS = { committee: "#b71c1c", general_branch: "#e65100", branch: "#1565c0", group: "#607d8b" };
  var dataUrl = el.dataset.url;
  var levels = parseInt(el.dataset.levels || "2", 10);
  var handle = DangjianCharts.init(el, { renderer: "canvas" });
  var chart = handle.chart;
  var rootNode = null;
  var byId = {};
  var narrow = function () { return el.clientWidth < 576; };
  var layout = narrow() ? "LR" : "TB";
  var selected = document.getElementById("chart-selected");

  function decorate(node) {
    byId[node.id] = node;
    node.itemStyle = { color: node.dissolved ? "#bdbdbd" : (COLORS[node.type] || "#888"), borderColor: "#fff" };
    node.symbol = node.lazy ? "diamond" : "circle";
    node.symbolSize = node.lazy ? 12 : 9;
    (node.children || []).forEach(decorate);
  }

  function countLeaves(node) {
    if (!node.children || !node.children.length || node.collapsed) { return 1; }
    return node.children.reduce(function (n, c) { return n + countLeaves(c); }, 0);
  }

  function maxLeafChars(node) {
    if (!node.children || !node.children.length || node.collapsed) { return Array.from(node.name).length; }
    return node.children.reduce(function (n, c) { return Math.max(n, maxLeafChars(c)); }, 0);
  }

  function vertical(name) {
    // Chinese reads naturally stacked top to bottom; keeps siblings from overlapping in 'TB'.
    return Array.from(name).join("\n");
  }

  function seriesFor() {
    var leaves = countLeaves(rootNode);
    var base = {
      type: "tree",
      data: [rootNode],
      roam: true,
      expandAndCollapse: true,
      initialTreeDepth: -1,
      animationDurationUpdate: 350,
      lineStyle: { color: "#c9c9c9", width: 1.2 },
      emphasis: { focus: "descendant" },
      label: { fontSize: 12, color: "#222" }
    };
    if (layout === "radial") {
      el.style.height = Math.max(420, Math.min(900, el.clientWidth)) + "px";
      return Object.assign(base, {
        layout: "radial", top: "12%", bottom: "12%", left: "12%", right: "12%",
        label: { fontSize: 11, color: "#222", formatter: function (p) { return p.data.name; } }
      });
    }
    if (layout === "LR") {
      el.style.height = Math.max(360, leaves * 26 + 60) + "px";
      // room for the root's label on the left and the longest leaf label on the right (12px CJK glyphs)
      var leafChars = maxLeafChars(rootNode);
      return Object.assign(base, {
        layout: "orthogonal", orient: "LR", top: 20, bottom: 20,
        left: Math.min(160, Array.from(rootNode.name).length * 13 + 16),
        right: Math.min(narrow() ? 130 : 220, leafChars * 13 + 20),
        label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12, color: "#222" },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } }
      });
    }
    el.style.height = (narrow() ? 520 : 600) + "px";
    return Object.assign(base, {
      layout: "orthogonal", orient: "TB", top: 60, bottom: 150, left: 30, right: 30,
      label: { position: "top", distance: 8, fontSize: 13, color: "#222", fontWeight: "bold" },
      leaves: {
        label: {
          position: "bottom", verticalAlign: "top", align: "center", distance: 8, fontSize: 12,
          fontWeight: "normal", lineHeight: 14, formatter: function (p) { return vertical(p.data.name); }
        }
      }
    });
  }

  function render() {
    handle.setOption({
      tooltip: {
        trigger: "item", triggerOn: "mousemove",
        formatter: function (p) {
          var d = p.data;
          return d.fullName + "\n" + d.typeLabel + " · " + d.code;
        }
      },
      series: [seriesFor()]
    }, { notMerge: true });
    chart.resize();
    document.querySelectorAll("#chart-layouts [data-layout]").forEach(function (b) {
      b.classList.toggle("active", b.dataset.layout === layout);
    });
  }

  function load(rootId) {
    var url = dataUrl + "?root=" + encodeURIComponent(rootId) + "&levels=" + levels;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function part(tag, cls, text, href) {
    var e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    if (href) { e.href = href; }
    return e;
  }

  function showSelected(node) {
    if (!selected) { return; }
    selected.replaceChildren(
      part("span", "fw-semibold", node.fullName), " ",
      part("span", "text-muted", node.typeLabel + " · " + node.code), " ",
      part("a", "ms-2", el.dataset.i18nMembers, node.url),
      part("a", "ms-2", el.dataset.i18nRoot, "?root=" + encodeURIComponent(node.id))
    );
  }

  chart.on("click", function (params) {
    var node = byId[params.data && params.data.id];
    if (!node) { return; }
    showSelected(node);
    if (node.lazy) {
      node.lazy = false;
      load(node.id).then(function (json) {
        node.children = (json.root && json.root.children) || [];
        node.collapsed = false;
        decorate(node);
        render();
      });
      return;
    }
    // Mirror ECharts' own expand/collapse so a later re-render keeps the user's view.
    if (node.children && node.children.length) { node.collapsed = !node.collapsed; }
  });

  document.querySelectorAll("#chart-layouts [data-layout]").forEach(function (b) {
    b.addEventListener("click", function () { layout = b.dataset.layout; render(); });
  });
  window.addEventListener("resize", function () { chart.resize(); });

  chart.showLoading();
  load(el.dataset.root).then(function (json) {
    chart.hideLoading();
    if (!json.root) { return; }
    rootNode = json.root;
    decorate(rootNode);
    render();
    el.dataset.ready = "1";
    if (json.truncated && selected) { selected.textContent = el.dataset.i18nTruncated; }
  }).catch(function () { chart.hideLoading(); });
})();
