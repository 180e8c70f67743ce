/* KPI実績台帳: charts drawn with the bundled Apache ECharts.
 *
 * Each chart is a container `<div data-chart="ID" role="img" aria-label="…">` whose data is
 * the JSON of `<script type="application/json" id="ID">` (Django's json_script). Numbers come
 * as exact decimal strings ("73.5"); they are turned into JS numbers only for drawing.
 * The same data is always in a table next to the chart, which is what assistive technology
 * and printouts rely on. Nothing here fetches anything.
 *
 * The Content-Security-Policy allows no inline style (style-src 'self'), so ECharts draws on a
 * canvas and its tooltips are drawn on that canvas too (renderMode "richText"): the SVG
 * renderer and the HTML tooltips write style attributes, which the browser would refuse.
 * Setting element.style from script (as ECharts does for its canvas and here for the height)
 * is allowed.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif';
  var TEXT = "#1a1a1a";
  var MUTED = "#4b5563";
  var LINE = "#0f3c68";
  var TARGET = "#b91c1c";
  /* status colours: at least 3:1 against white (WCAG 1.4.11), same order as the badges */
  var STATUS_COLOURS = {
    achieved: "#15803d",
    nearly_achieved: "#b45309",
    not_achieved: "#b91c1c",
    no_data: "#6b7280",
    not_due: "#1d4ed8"
  };
  var LANG = document.documentElement.lang || "ja";
  var FORMAT = new Intl.NumberFormat(LANG, { maximumFractionDigits: 4 });

  function toNumber(text) {
    return text === null || text === undefined ? null : Number(text);
  }

  function show(value) {
    return value === null || value === undefined || value === "-" ? "-" : FORMAT.format(value);
  }

  /* The smallest 1, 2, 2.5 or 5 × 10^n not below x: a tidy axis maximum. */
  function niceCeil(x) {
    if (!(x > 0)) { return 1; }
    var magnitude = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (x <= steps[i] * magnitude) { return steps[i] * magnitude; }
    }
    return 10 * magnitude;
  }

  function base(tooltip) {
    tooltip.renderMode = "richText";
    return {
      animation: false,
      textStyle: { fontFamily: FONT, color: TEXT },
      tooltip: tooltip,
      aria: { enabled: true, label: { enabled: false }, decal: { show: false } }
    };
  }

  function kpiLine(data) {
    var values = data.values.map(toNumber);
    var target = toNumber(data.target);
    var highest = Math.max.apply(null, values.filter(function (v) { return v !== null; }).concat([target, 0]));
    var lines = [{
      yAxis: target,
      lineStyle: { color: TARGET, type: "dashed", width: 2 },
      label: { formatter: data.labels.target, position: "insideEndTop", color: TARGET, fontWeight: "bold" }
    }];
    if (data.target_category) {
      lines.push({
        xAxis: data.target_category,
        lineStyle: { color: MUTED, type: "dotted", width: 2 },
        label: { formatter: data.labels.target_year, position: "end", color: MUTED }
      });
    }
    var option = base({ trigger: "axis", valueFormatter: show });
    option.grid = { left: 16, right: 24, top: 48, bottom: 16, containLabel: true };
    option.legend = { top: 0, left: 0, data: [data.labels.actual], textStyle: { color: TEXT } };
    option.xAxis = { type: "category", data: data.categories, boundaryGap: true,
                     axisLabel: { color: TEXT } };
    option.yAxis = { type: "value", name: data.unit, min: 0, max: niceCeil(highest * 1.15),
                     nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT, formatter: show } };
    option.series = [{
      name: data.labels.actual,
      type: "line",
      data: values,
      connectNulls: false,
      symbol: "circle",
      symbolSize: 9,
      lineStyle: { color: LINE, width: 3 },
      itemStyle: { color: LINE },
      label: { show: true, position: "top", color: TEXT, formatter: function (p) { return show(p.value); } },
      markLine: { symbol: "none", silent: true, data: lines }
    }];
    return option;
  }

  function statusBar(data) {
    var option = base({ trigger: "axis" });
    option.aria.decal.show = true;
    option.grid = { left: 16, right: 16, top: 32, bottom: 8, containLabel: true };
    option.xAxis = { type: "category", data: data.categories,
                     axisLabel: { color: TEXT, interval: 0, width: 90, overflow: "break" } };
    option.yAxis = { type: "value", name: data.axis_label, minInterval: 1,
                     nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT } };
    option.series = [{
      type: "bar",
      name: data.axis_label,
      data: data.values.map(function (v, i) {
        return { value: v, itemStyle: { color: STATUS_COLOURS[data.keys[i]] } };
      }),
      label: { show: true, position: "top", color: TEXT, fontWeight: "bold" }
    }];
    return option;
  }

  function grantBar(data) {
    var option = base({ trigger: "axis", axisPointer: { type: "shadow" } });
    option.aria.decal.show = true;
    option.grid = { left: 16, right: 24, top: 48, bottom: 32, containLabel: true };
    option.legend = { top: 0, left: 0, textStyle: { color: TEXT } };
    option.xAxis = { type: "value", name: data.axis_label, minInterval: 1,
                     nameLocation: "middle", nameGap: 28,
                     nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT } };
    option.yAxis = { type: "category", data: data.categories, inverse: true,
                     axisLabel: { color: TEXT, width: 260, overflow: "break" } };
    option.series = data.series.map(function (s) {
      return {
        type: "bar", stack: "kpis", name: s.name, data: s.data,
        itemStyle: { color: STATUS_COLOURS[s.key] },
        label: { show: true, color: "#ffffff", fontWeight: "bold",
                 textBorderColor: "#1a1a1a", textBorderWidth: 2,
                 formatter: function (p) { return p.value ? String(p.value) : ""; } }
      };
    });
    return option;
  }

  var BUILDERS = { "kpi-line": kpiLine, "status-bar": statusBar, "grant-bar": grantBar };

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var build = BUILDERS[data.kind];
    if (!build) { return; }
    if (data.kind === "grant-bar") {
      /* one band per grant type, so long lists stay readable */
      container.style.height = Math.max(240, 64 * data.categories.length + 96) + "px";
    }
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    chart.setOption(build(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
