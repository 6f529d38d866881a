/* The actor page's charts, drawn with Chart.js from the data the page carries as JSON
 * (the same figures as the tables beside the charts). Without JavaScript the tables say
 * everything; the charts only add a picture. */
(function () {
  "use strict";

  const COLOURS = ["#0b4f9c", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#374151"];
  // How a value is drawn, by what the source says of it (explorer/charts.py MARKERS).
  const MARKERS = {
    exact: { pointStyle: "circle", rotation: 0, hollow: false },
    approximate: { pointStyle: "circle", rotation: 0, hollow: true },
    ceiling: { pointStyle: "triangle", rotation: 180, hollow: false },
    floor: { pointStyle: "triangle", rotation: 0, hollow: false },
  };

  function readData(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function marker(context) {
    const raw = context.raw || {};
    return MARKERS[raw.marker] || MARKERS.exact;
  }

  // A series' points in year order, with a gap (null) for every year between them that
  // has no figure: a missing year is not drawn as if it were known.
  function withGaps(points) {
    const sorted = points.slice().sort((a, b) => a.year - b.year);
    const data = [];
    sorted.forEach((point, index) => {
      if (index > 0) {
        for (let year = sorted[index - 1].year + 1; year < point.year; year += 1) {
          data.push({ x: year, y: null });
        }
      }
      data.push({ x: point.year, y: point.value, marker: point.marker, qualifierLabel: point.qualifierLabel });
    });
    return data;
  }

  function formatValue(value) {
    return new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 4 }).format(value);
  }

  function drawTrade(canvas, chart) {
    let count = 0;
    const datasets = chart.series.map((series, index) => {
      const colour = COLOURS[index % COLOURS.length];
      count += series.points.length;
      return {
        label: series.label,
        data: withGaps(series.points),
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: false,
        pointRadius: 6,
        pointHoverRadius: 8,
        pointStyle: (context) => marker(context).pointStyle,
        rotation: (context) => marker(context).rotation,
        pointBackgroundColor: (context) => (marker(context).hollow ? "#ffffff" : colour),
        pointBorderWidth: 2,
        segment: {
          // A line to or from a value that is not exact is dashed.
          borderDash: (context) => {
            const data = context.chart.data.datasets[context.datasetIndex].data;
            const ends = [data[context.p0DataIndex], data[context.p1DataIndex]];
            return ends.some((point) => point && point.marker !== "exact") ? [6, 4] : undefined;
          },
        },
      };
    });
    // Values twenty times apart or more are drawn on a logarithmic scale,
    // where a small flow is not flattened against zero by a large one.
    const values = chart.series.flatMap((series) => series.points.map((point) => point.value)).filter((value) => value > 0);
    const logarithmic = values.length > 1 && Math.max(...values) / Math.min(...values) >= 20;
    canvas.dataset.scale = logarithmic ? "logarithmic" : "linear";
    new window.Chart(canvas, {
      type: "line",
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: { xAxisKey: "x", yAxisKey: "y" },
        scales: {
          x: { type: "linear", title: { display: true, text: "Year" }, ticks: { stepSize: 1, precision: 0, callback: (value) => String(value) } },
          y: logarithmic
            ? { type: "logarithmic", title: { display: true, text: `${chart.currency} (logarithmic scale)` }, ticks: { callback: formatValue } }
            : { beginAtZero: true, title: { display: true, text: chart.currency }, ticks: { callback: formatValue } },
        },
        plugins: {
          // On a narrow screen the legend's long names do not fit: the table names each line.
          legend: { display: canvas.parentElement.clientWidth >= 560, position: "bottom" },
          tooltip: {
            callbacks: {
              label: (context) => `${context.dataset.label}: ${context.raw.qualifierLabel} ${formatValue(context.raw.y)} ${chart.currency}`,
            },
          },
        },
      },
    });
    canvas.dataset.points = String(count);
    canvas.dataset.rendered = "true";
  }

  function drawTimeline(canvas, spans) {
    const starts = spans.map((span) => span.start);
    const ends = spans.map((span) => span.end);
    canvas.parentElement.style.height = `${spans.length * 2.2 + 4}rem`;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spans.map((span) => (span.title.length > 40 ? `${span.title.slice(0, 39)}…` : span.title)),
        datasets: [{
          label: "Signed",
          data: spans.map((span) => [span.start, span.end]),
          backgroundColor: spans.map((span) => (span.precision === "day" ? "#0b4f9c" : span.precision === "month" ? "#3b78c2" : "#8fb3de")),
          borderColor: "#0b4f9c",
          borderWidth: 1,
          minBarLength: 6,
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: "y",
        scales: {
          x: { type: "linear", min: Math.floor(Math.min(...starts)), max: Math.ceil(Math.max(...ends)), ticks: { stepSize: 1, precision: 0, callback: (value) => String(value) } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (context) => `${spans[context.dataIndex].signed} (${spans[context.dataIndex].precision})` } },
        },
        onClick: (event, elements) => {
          if (elements.length) window.location.href = spans[elements[0].index].url;
        },
      },
    });
    canvas.dataset.points = String(spans.length);
    canvas.dataset.rendered = "true";
  }

  function draw() {
    if (!window.Chart) return;
    const trade = readData("trade-chart-data") || [];
    document.querySelectorAll("canvas[data-chart=trade]").forEach((canvas) => {
      drawTrade(canvas, trade[Number(canvas.dataset.index)]);
    });
    const timeline = readData("timeline-data");
    const canvas = document.getElementById("timeline-chart");
    if (timeline && canvas) drawTimeline(canvas, timeline);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
