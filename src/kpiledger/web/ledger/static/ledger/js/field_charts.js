/* KPI実績台帳: the bar charts of the category comparison pages (kind "bin-bar"), drawn with the
 * bundled Apache ECharts like charts.js draws the others (same conventions: a container
 * `<div data-chart="ID" role="img" aria-label="…">`, its data in `<script type="application/json"
 * id="ID">`, the same numbers in the table beside it, canvas only — the Content-Security-Policy
 * allows no inline style).
 *
 * Data: {kind: "bin-bar", categories: [...], series: [{name, values: ["12.5", ...]}],
 *        axis_label, percent: bool, marked: index or null, marked_label}
 * With `marked`, that bar is drawn darker, with a hatch and a label naming the organization, so
 * the mark is not carried by colour alone.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif';
  var TEXT = "#1a1a1a";
  var MUTED = "#4b5563";
  var COLOURS = ["#0f3c68", "#b45309"];  /* 3:1 or more against white (WCAG 1.4.11) */
  var MARK = "#b91c1c";
  var LANG = document.documentElement.lang || "ja";
  var FORMAT = new Intl.NumberFormat(LANG, { maximumFractionDigits: 1 });

  function binBar(data, width) {
    var suffix = data.percent ? "%" : "";
    var narrow = width < 600;
    var option = {
      animation: false,
      textStyle: { fontFamily: FONT, color: TEXT },
      tooltip: { trigger: "axis", renderMode: "richText",
                 valueFormatter: function (v) { return FORMAT.format(v) + suffix; } },
      aria: { enabled: true, label: { enabled: false }, decal: { show: true } },
      legend: { top: 0, left: 0, textStyle: { color: TEXT } },
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories,
               axisLabel: { color: TEXT, interval: 0, rotate: narrow ? 40 : 0,
                            width: narrow ? 120 : Math.max(60, (width - 80) / Math.max(data.categories.length, 1) - 8),
                            overflow: "break", fontSize: narrow ? 10 : 12 } },
      yAxis: { type: "value", name: data.axis_label, minInterval: data.percent ? 0 : 1,
               max: data.percent ? 100 : null,
               nameTextStyle: { color: MUTED, align: "left" },
               axisLabel: { color: TEXT, formatter: function (v) { return FORMAT.format(v) + suffix; } } }
    };
    option.series = data.series.map(function (s, n) {
      return {
        type: "bar", name: s.name,
        itemStyle: { color: COLOURS[n % COLOURS.length] },
        label: { show: true, position: "top", color: TEXT, fontWeight: "bold",
                 formatter: function (p) { return FORMAT.format(p.value) + suffix; } },
        data: s.values.map(function (text, i) {
          var item = { value: Number(text) };
          if (data.marked === i) {
            item.itemStyle = { color: MARK, borderColor: TEXT, borderWidth: 2,
                               decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -0.8, color: "rgba(255, 255, 255, 0.55)" } };
            item.label = { show: true, position: "top", color: TEXT, fontWeight: "bold",
                           formatter: function (p) { return FORMAT.format(p.value) + suffix + "\n▼ " + data.marked_label; } };
          }
          return item;
        })
      };
    });
    return option;
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (data.kind !== "bin-bar") { return; }
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    var width = container.clientWidth;
    chart.setOption(binBar(data, width));
    window.addEventListener("resize", function () {
      if (container.clientWidth !== width) {
        width = container.clientWidth;
        chart.setOption(binBar(data, width), true);
      }
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
