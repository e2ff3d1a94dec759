// Draws every chart on the page from the JSON spec the server embedded next to it.
// Each <div class="chart" data-spec="ID"> has a <script type="application/json" id="ID">
// holding {"traces": [...], "layout": {...}}; an empty trace list shows the empty state.
(function () {
  "use strict";

  function showState(element, text) {
    var state = element.querySelector(".state");
    if (!state) {
      state = document.createElement("div");
      state.className = "state";
      element.appendChild(state);
    }
    state.textContent = text;
  }

  function hasData(traces) {
    return traces.some(function (trace) {
      var values = trace.y || trace.values || [];
      return values.length > 0;
    });
  }

  // Plotly's tool bar covers the chart on a phone, where it cannot be hovered away:
  // there it is left out; on larger screens it shows on hover only.
  function chartConfig() {
    var phone = window.matchMedia("(max-width: 600px)").matches;
    return { responsive: true, displaylogo: false, displayModeBar: phone ? false : "hover" };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.spec);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    if (!hasData(spec.traces)) {
      showState(element, element.dataset.empty || "No data for this period.");
      element.dataset.state = "empty";
      return;
    }
    var layout = Object.assign(
      { margin: { t: 30, r: 10, b: 40, l: 60 }, hovermode: "x unified",
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, separators: ".,",
        yaxis: { tickformat: ",d", rangemode: "tozero" } },
      spec.layout || {}
    );
    window.Plotly.newPlot(element, spec.traces, layout, chartConfig())
      .then(function () {
        var state = element.querySelector(".state");
        if (state) { state.remove(); }
        element.dataset.state = "drawn";
      });
  }

  function drawAll() {
    document.querySelectorAll(".chart[data-spec]").forEach(function (element) {
      showState(element, "Loading chart…");
      draw(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
