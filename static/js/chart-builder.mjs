// The chart builder (authoring/charts/form.html): when the dataset changes, offer its columns
// at once; as the author changes anything, draw the unsaved chart in the preview, through the
// server, exactly as learners will get it. Without JavaScript the form's "Show its columns"
// and "Preview" buttons do the same with a round trip.
import { drawCharts } from "./charts.mjs";

const DELAY_MS = 400;

function option(value, text, selected) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  element.selected = selected;
  return element;
}

function refillSelect(select, columns, emptyText) {
  const current = select.value;
  select.replaceChildren(
    option("", emptyText, current === ""),
    ...columns.map((column) => option(column.name, column.label, column.name === current)),
  );
}

function refillCheckboxes(container, columns, checked) {
  const items = columns.map((column, index) => {
    const item = document.createElement("div");
    item.className = "govuk-checkboxes__item";
    const input = document.createElement("input");
    input.className = "govuk-checkboxes__input";
    input.type = "checkbox";
    input.name = "y";
    input.id = `id_y_${index}`;
    input.value = column.name;
    input.checked = checked.has(column.name);
    const label = document.createElement("label");
    label.className = "govuk-label govuk-checkboxes__label";
    label.htmlFor = input.id;
    label.textContent = column.label;
    item.append(input, label);
    return item;
  });
  if (items.length === 0) {
    const note = document.createElement("p");
    note.className = "govuk-body";
    note.textContent = "This dataset has no numeric columns to draw.";
    items.push(note);
  }
  container.replaceChildren(...items);
}

function setUp(form) {
  const source = document.getElementById("chart-builder-columns");
  const preview = document.querySelector("[data-chart-preview]");
  const status = document.querySelector("[data-chart-preview-status]");
  if (!source || !preview) return;
  const columnsOf = JSON.parse(source.textContent);
  // Not form.dataset: the form's own "dataset" field shadows it.
  const previewUrl = form.getAttribute("data-preview-url");
  const dataset = form.elements.namedItem("dataset");
  const yHint = document.getElementById("id_y-hint");
  const yBoxes = yHint && yHint.closest("fieldset").querySelector(".govuk-checkboxes");

  function refreshColumns() {
    const columns = columnsOf[dataset.value] || [];
    refillSelect(form.elements.namedItem("x"), columns, "Choose a column");
    refillSelect(form.elements.namedItem("colour"), columns, "None");
    for (const select of form.querySelectorAll("select[name^=filter_][name$=_column]")) {
      refillSelect(select, columns, "No filter");
    }
    if (yBoxes) {
      const checked = new Set([...form.querySelectorAll("input[name=y]:checked")].map((i) => i.value));
      refillCheckboxes(yBoxes, columns.filter((column) => column.numeric), checked);
    }
    const hint = form.querySelector("[data-no-columns]");
    if (hint) hint.hidden = true;
  }

  let timer = null;
  let inFlight = null;
  let lastSent = null;

  async function refresh(announce = true) {
    if (!dataset.value) return;
    const body = new FormData(form);
    const key = new URLSearchParams(body).toString();
    if (key === lastSent) return;
    lastSent = key;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const response = await fetch(previewUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" },
        signal: inFlight.signal,
      });
      if (response.redirected) {
        // Sent to the sign-in page: the session has ended.
        lastSent = null;
        status.textContent = "You have been signed out, so the preview cannot be updated. " +
          "Sign in again in another tab, then go on typing: Your changes are not affected.";
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/html") || response.status >= 500 || response.status === 403) {
        throw new Error(`preview failed: ${response.status}`);
      }
      preview.innerHTML = await response.text();
      drawCharts(preview);
      if (announce) {
        status.textContent = response.ok
          ? "Preview updated."
          : "Preview updated: the chart cannot be drawn yet. The problems are listed in the preview.";
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      lastSent = null;
      status.textContent = "The preview could not be updated. Your changes are not affected.";
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  }

  dataset.addEventListener("change", refreshColumns);
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (form.elements.namedItem("x").value) refresh(false);
}

for (const form of document.querySelectorAll("[data-chart-builder]")) {
  setUp(form);
}
