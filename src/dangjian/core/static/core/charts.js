/* dangjian's one way to draw an ECharts chart (issue 7: stored XSS through a tooltip formatter).
 *
 * Every chart goes through here, and this file alone calls echarts.init (scripts/lint_rules.py DJ-CHART):
 *
 *   <div id="x-chart" data-chart="x" data-chart-data="x-data" data-chart-renderer="svg"></div>
 *   {{ rows|json_script:"x-data" }}
 *   <script src="{% static 'core/charts.js' %}"></script>
 *   <script src="{% static 'app/x_chart.js' %}"></script>   // DangjianCharts.define("x", function (data, el) { return option; })
 *
 * or, for a chart that reloads its own data, DangjianCharts.init(el, {renderer: …}) and .setOption(…).
 *
 * What it guarantees: chart data is never parsed as HTML. Tooltips are text-only (ECharts' "richText"
 * render mode draws them with its own text renderer, inside the chart), so whatever a formatter returns, an
 * org name like `<img src=x onerror=…>` shows as those characters. Write line breaks as "\n", not "<br>".
 * The data-view tool (which renders the data as HTML) is dropped. Labels, axis names and legends are
 * drawn as text by ECharts anyway. Data comes from a json_script block, never from inline script.
 */
(function () {
  "use strict";

  var builders = {};

  /** Returns *option* with every tooltip forced to text-only rendering and HTML-producing tools removed. */
  function safeOption(option) {
    if (!option || typeof option !== "object") { return option; }
    if (option.baseOption) { safeOption(option.baseOption); }
    (option.options || []).forEach(safeOption);
    (option.media || []).forEach(function (m) { safeOption(m.option); });
    if (option.tooltip) {
      (Array.isArray(option.tooltip) ? option.tooltip : [option.tooltip]).forEach(function (t) {
        t.renderMode = "richText";
      });
    }
    var toolboxes = option.toolbox ? (Array.isArray(option.toolbox) ? option.toolbox : [option.toolbox]) : [];
    toolboxes.forEach(function (t) { if (t.feature) { delete t.feature.dataView; } });
    return option;
  }

  /** Reads the JSON of a json_script block (type="application/json"). */
  function readData(id) {
    var node = id && document.getElementById(id);
    if (!node) { return null; }
    if (node.type !== "application/json") { throw new Error("chart data must be a json_script block: " + id); }
    return JSON.parse(node.textContent);
  }

  /** Initialises ECharts on *el*; the returned handle's setOption always goes through safeOption. */
  function init(el, opts) {
    opts = opts || {};
    if (el.dataset.chartHeight) { el.style.height = parseInt(el.dataset.chartHeight, 10) + "px"; }
    var chart = window.echarts.init(el, null, { renderer: opts.renderer || el.dataset.chartRenderer || "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return {
      chart: chart,
      setOption: function (option, setOpts) {
        chart.setOption(safeOption(option), setOpts);
      },
    };
  }

  /** Registers the option builder of the charts whose element says data-chart="<name>". */
  function define(name, build) {
    builders[name] = build;
  }

  function mount(el) {
    var build = builders[el.dataset.chart];
    if (!build || el.dataset.ready) { return; }
    var data = readData(el.dataset.chartData);
    var handle = init(el);
    handle.setOption(build(data, el));
    el.dataset.ready = "1";
  }

  function mountAll() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(mount);
  }

  window.DangjianCharts = { define: define, init: init, safeOption: safeOption, readData: readData };
  // Page scripts after this one register their builders first; DOMContentLoaded follows every classic script.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    setTimeout(mountAll, 0);
  }
})();
