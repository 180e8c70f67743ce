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

  /* Text widths as ECharts will draw them (same font), for laying out labels and legends. */
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(text, size) {
    measure.font = (size || 12) + "px " + FONT;
    return measure.measureText(String(text)).width;
  }

  /* ECharts' plain legend wraps onto more lines when the items do not fit: how many lines
     (item = 25 px icon + 5 px gap + text + 10 px between items). */
  var LEGEND_LINE = 24;
  function legendLines(names, width) {
    var lines = 1, x = 0;
    names.forEach(function (name) {
      var item = 25 + 5 + textWidth(name) + 10;
      if (x > 0 && x + item > width) { lines += 1; x = 0; }
      x += item;
    });
    return lines;
  }

  /* Category labels: all shown, turned 40° when they do not fit side by side. */
  function categoryLabels(categories, plotWidth) {
    var widest = Math.max.apply(null, categories.map(function (c) { return textWidth(c); }));
    var room = plotWidth / Math.max(categories.length, 1);
    return { color: TEXT, interval: 0, rotate: widest + 8 > room ? 40 : 0 };
  }

  /* Where a value's label goes: above a point that is not lower than its neighbours (a peak,
     a plateau, the end of a rise), below one that is (a dip, the start of a rise), so the
     label sits beside the line rather than on it; never below a point near the axis. */
  function labelSides(values, top) {
    function known(n) { return n !== null && n !== undefined; }
    return values.map(function (v, i) {
      if (v === null) { return null; }
      var before = values[i - 1], after = values[i + 1];
      var near = [before, after].filter(known);
      var around = near.length ? near.reduce(function (a, b) { return a + b; }, 0) / near.length : v;
      var side = v >= around ? "top" : "bottom";
      if (side === "bottom" && v < top * 0.12) {  /* no room below: beside the point instead */
        side = !known(before) ? "left" : (!known(after) ? "right" : "top");
      }
      return { value: v, label: { position: side } };
    });
  }

  /* The line chart of one KPI. Nothing is written inside the plot but the values: the target
     (dashed line) and the target year (dotted line) are named in the legend, so their names
     can never cover a point. The two lines are drawn beneath the series, whose labels have a
     white box and sit beside the line (labelSides), so no line crosses a value's digits. */
  function kpiLine(data, width) {
    var values = data.values.map(toNumber);
    var target = toNumber(data.target);
    var highest = Math.max.apply(null, values.filter(function (v) { return v !== null; }).concat([target, 0]));
    var top = niceCeil(highest * 1.15);
    var narrow = width < 600;
    var lines = [{ yAxis: target, lineStyle: { color: TARGET, type: "dashed", width: 2 } }];
    var names = [data.labels.actual, data.labels.target];
    var series = [{
      name: data.labels.actual,
      type: "line",
      data: labelSides(values, top),
      connectNulls: false,
      symbol: "circle",
      symbolSize: 9,
      z: 3,
      lineStyle: { color: LINE, width: 3 },
      itemStyle: { color: LINE },
      label: { show: true, position: "top", distance: 6, color: TEXT, fontSize: narrow ? 11 : 12,
               backgroundColor: "#ffffff", padding: [1, 3], borderRadius: 2,
               formatter: function (p) { return show(p.value); } },
      labelLayout: { moveOverlap: "shiftY" },
      markLine: { z: 1, symbol: "none", silent: true, label: { show: false }, data: lines }
    }, legendOnly(data.labels.target, TARGET, "dashed")];
    if (data.target_category) {
      lines.push({ xAxis: data.target_category, lineStyle: { color: MUTED, type: "dotted", width: 2 } });
      names.push(data.labels.target_year);
      series.push(legendOnly(data.labels.target_year, MUTED, "dotted"));
    }
    var legendHeight = legendLines(names, width) * LEGEND_LINE;
    var option = base({ trigger: "axis", valueFormatter: show });
    option.legend = { top: 0, left: 0, data: names, itemWidth: 25, textStyle: { color: TEXT } };
    option.grid = { left: 8, right: narrow ? 12 : 24, top: legendHeight + 40, bottom: 8, containLabel: true };
    option.xAxis = { type: "category", data: data.categories, boundaryGap: true,
                     axisLabel: categoryLabels(data.categories, width - 80) };
    option.yAxis = { type: "value", name: data.unit, min: 0, max: top,
                     nameTextStyle: { color: MUTED, align: "left" },
                     axisLabel: { color: TEXT, formatter: show } };
    option.series = series;
    return option;
  }

  /* A series with no data: only its legend entry, drawn as the line it names (the legend of a
     line series also draws a dot: a transparent one here). */
  function legendOnly(name, colour, type) {
    return { name: name, type: "line", data: [], symbol: "none", silent: true,
             lineStyle: { color: colour, type: type, width: 2 },
             itemStyle: { color: "rgba(0, 0, 0, 0)" } };
  }

  /* KPIs per status: upright bars, or lying bars with the status names on the left where the
     names do not fit side by side under the bars (a phone), never broken mid-word. */
  function statusBar(data, width) {
    var option = base({ trigger: "axis" });
    var widest = Math.max.apply(null, data.categories.map(function (c) { return textWidth(c); }));
    var lying = widest + 12 > (width - 60) / Math.max(data.categories.length, 1);
    var categories = { type: "category", data: data.categories, axisLabel: { color: TEXT, interval: 0 } };
    var counts = { type: "value", name: data.axis_label, minInterval: 1,
                   nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT } };
    option.aria.decal.show = true;
    option.grid = { left: 8, right: lying ? 32 : 16, top: lying ? 8 : 32, bottom: lying ? 32 : 8,
                    containLabel: true };
    if (lying) {
      categories.inverse = true;
      counts.nameLocation = "middle";
      counts.nameGap = 28;
      option.xAxis = counts;
      option.yAxis = categories;
    } else {
      option.xAxis = categories;
      option.yAxis = counts;
    }
    option.series = [{
      type: "bar",
      name: data.axis_label,
      data: data.values.map(function (v, i) {
        return { value: v, itemStyle: { color: STATUS_COLOURS[data.keys[i]] } };
      }),
      label: { show: true, position: lying ? "right" : "top", color: TEXT, fontWeight: "bold" }
    }];
    return option;
  }

  function grantBar(data, width) {
    var option = base({ trigger: "axis", axisPointer: { type: "shadow" } });
    var names = data.series.map(function (s) { return s.name; });
    var labelWidth = Math.round(Math.min(360, width * 0.32));
    option.aria.decal.show = true;
    option.grid = { left: 8, right: 24, top: legendLines(names, width) * LEGEND_LINE + 16,
                    bottom: 32, containLabel: true };
    option.legend = { top: 0, left: 0, textStyle: { color: TEXT } };
    option.xAxis = { type: "value", name: data.axis_label, minInterval: 1,
                     nameLocation: "middle", nameGap: 28,
                     nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT } };
    option.yAxis = { type: "category", data: data.categories, inverse: true,
                     axisLabel: { color: TEXT, width: labelWidth, overflow: "break",
                                  fontSize: width < 600 ? 11 : 12 } };
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

  /* Achieved share per prefecture (the national page): lying bars on a 0–100 % axis, one band
     per prefecture in code order, the share written at the end of each bar; a prefecture
     without a KPI due has no bar and reads "-". */
  function shareBar(data, width) {
    var option = base({ trigger: "axis", axisPointer: { type: "shadow" },
                        valueFormatter: function (v) { return v === null ? "-" : show(v) + "%"; } });
    option.grid = { left: 8, right: 48, top: 8, bottom: 32, containLabel: true };
    option.xAxis = { type: "value", name: data.axis_label, min: 0, max: 100,
                     nameLocation: "middle", nameGap: 28,
                     nameTextStyle: { color: MUTED }, axisLabel: { color: TEXT } };
    option.yAxis = { type: "category", data: data.categories, inverse: true,
                     axisLabel: { color: TEXT, interval: 0, fontSize: width < 600 ? 11 : 12 } };
    option.series = [{
      type: "bar", name: data.axis_label, data: data.values.map(toNumber),
      itemStyle: { color: STATUS_COLOURS.achieved },
      label: { show: true, position: "right", color: TEXT,
               formatter: function (p) { return p.value === null || p.value === undefined ? "-" : show(p.value) + "%"; } }
    }];
    return option;
  }

  var BUILDERS = { "kpi-line": kpiLine, "status-bar": statusBar, "grant-bar": grantBar,
                   "share-bar": shareBar };

  /* Each chart is laid out for its container's width, and again when that changes. */
  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var build = BUILDERS[data.kind];
    if (!build) { return; }
    if (data.kind === "share-bar") {
      /* one band per prefecture (47), readable on a phone too */
      container.style.height = Math.max(240, 22 * data.categories.length + 72) + "px";
    }
    if (data.kind === "grant-bar") {
      /* one band per grant type, so long lists stay readable */
      container.style.height = Math.max(240, 64 * data.categories.length + 96) + "px";
    }
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    var width = container.clientWidth;
    chart.setOption(build(data, width));
    window.addEventListener("resize", function () {
      if (container.clientWidth !== width) {
        width = container.clientWidth;
        chart.setOption(build(data, width), true);
      }
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
