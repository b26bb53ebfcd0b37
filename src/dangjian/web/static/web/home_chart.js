/* 党员党籍状态分布 on the home page, drawn through core/charts.js (text-only tooltips). */
DangjianCharts.define("member-status", function (data) {
  "use strict";
  return {
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    color: ["#b71c1c", "#ef6c00", "#f9a825", "#6d4c41", "#616161", "#9e9e9e"],
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0, type: "scroll" },
    series: [{
      type: "pie", radius: ["36%", "60%"], center: ["50%", "45%"], avoidLabelOverlap: true,
      // labels aligned to the chart's edges stay inside it at phone width
      label: { formatter: "{b}\n{c}", alignTo: "edge", edgeDistance: 8, minMargin: 4, lineHeight: 16 },
      labelLine: { length: 10, length2: 0, maxSurfaceAngle: 80 },
      data: data.map(function (r) { return { name: r.name, value: r.value }; })
    }]
  };
});
