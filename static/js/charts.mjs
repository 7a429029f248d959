// Draws each chart from the figure JSON that the page carries (json_script), with plotly.js
// (the strict build: no eval). Without JavaScript the summary and data table still serve.
// No mode bar: its buttons would be controls inside an image (role="img"), and the data is
// offered as a table and a CSV download instead.
const config = { responsive: true, displayModeBar: false };

function narrow(layout) {
  // At phone widths, give the plot room: smaller margins and font.
  if (window.matchMedia("(max-width: 40em)").matches) {
    layout.margin = { l: 48, r: 8, t: 16, b: 48 };
    layout.font = { ...layout.font, size: 13 };
  }
  return layout;
}

// Draws the charts inside root that are not drawn yet. Exported for pages that add charts
// after loading (the authoring previews); safe to call more than once on the same charts.
export function drawCharts(root = document) {
  if (!window.Plotly) return;
  for (const element of root.querySelectorAll("[data-chart-figure]")) {
    if (element.dataset.chartDrawn) continue;
    const source = document.getElementById(element.dataset.chartFigure);
    if (!source) continue;
    element.dataset.chartDrawn = "true";
    const figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, narrow(figure.layout), config).then(() => {
      element.classList.add("app-chart__plot--drawn");
    });
  }
}

drawCharts();
