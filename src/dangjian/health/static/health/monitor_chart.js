/* 未消除问题分布: open findings by rule (x) and org (y), drawn through core/charts.js (text-only tooltips). */
DangjianCharts.define("health-heatmap", function (d) {
  "use strict";
  return {
    animation: false,
    tooltip: {
      position: "top",
      formatter: function (p) { return d.orgs[p.value[1]] + "\n" + d.rules[p.value[0]] + "：" + p.value[2]; }
    },
    grid: { left: 8, right: 8, top: 8, bottom: 90, containLabel: true },
    xAxis: { type: "category", data: d.rules, axisLabel: { rotate: 40, interval: 0, fontSize: 10 }, splitArea: { show: true } },
    yAxis: { type: "category", data: d.orgs, inverse: true, axisLabel: { fontSize: 11, width: 140, overflow: "truncate" } },
    visualMap: {
      min: 0, max: Math.max(d.max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0,
      inRange: { color: ["#fff5f5", "#f4a3a3", "#b71c1c"] }, itemHeight: 120
    },
    series: [{ type: "heatmap", data: d.data, label: { show: true, fontSize: 10 } }]
  };
});
