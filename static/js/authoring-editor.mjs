// The Markdown editor (authoring/includes/markdown_editor.html): a live preview, rendered by
// the server through the learners' pipeline, and buttons that insert embeds at the cursor.
// Without JavaScript the form's own Preview button and the text beside each item serve.
import { drawCharts } from "./charts.mjs";

const DELAY_MS = 400;
let plotlyLoading = null;

// The stylesheet that stands in for the <style> elements plotly.js would add (the CSP forbids
// them), as components/chart_head.html links it; the template's id tells plotly.js not to add
// its map styles (see courses/embeds/plotly_head.html).
const PLOTLY_STYLE_ID = "plotly.js-style-global";
const PLOTLY_MAP_STYLE_ID = "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53";

function addPlotlyStyles(href) {
  if (!document.getElementById(PLOTLY_STYLE_ID)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.id = PLOTLY_STYLE_ID;
    link.className = "no-inline-styles";
    link.href = href;
    document.head.append(link);
  }
  if (!document.getElementById(PLOTLY_MAP_STYLE_ID)) {
    const template = document.createElement("template");
    template.id = PLOTLY_MAP_STYLE_ID;
    document.head.append(template);
  }
}

// plotly.js is large: load it only once a preview has a chart in it (unless the page has).
function loadPlotly(src, cssHref) {
  addPlotlyStyles(cssHref);
  if (window.Plotly) return Promise.resolve();
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.addEventListener("load", resolve);
      script.addEventListener("error", reject);
      document.head.append(script);
    });
  }
  return plotlyLoading;
}

function csrfToken(form) {
  const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
}

function insertAtCursor(textarea, code, block) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  let text = code;
  if (block) {
    // An embed must be a line of its own, with a blank line around it.
    const before = value.slice(0, start);
    const after = value.slice(end);
    let lead = "\n\n";
    if (before === "" || before.endsWith("\n\n")) lead = "";
    else if (before.endsWith("\n")) lead = "\n";
    const trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    text = `${lead}${code}${trail}`;
  }
  textarea.focus();
  textarea.setRangeText(text, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

function setUp(editor) {
  const textarea = editor.querySelector("textarea");
  const content = editor.querySelector("[data-preview-content]");
  const status = editor.querySelector("[data-preview-status]");
  const section = editor.querySelector("[data-preview]");
  const url = editor.dataset.previewUrl;
  if (!textarea) return;

  // Until the author has been in the text, "at the cursor" means at the end.
  let cursorPlaced = false;
  textarea.addEventListener("focus", () => {
    cursorPlaced = true;
  });
  for (const button of editor.querySelectorAll("button[data-insert]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      if (!cursorPlaced) textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      insertAtCursor(textarea, button.dataset.insert, button.hasAttribute("data-insert-block"));
    });
  }
  if (!url || !content) return;
  if (section) section.hidden = false;

  let timer = null;
  let inFlight = null;
  let lastSent = null;

  // announce: say in the live region that the preview changed (not on loading the page).
  async function refresh(announce = true) {
    const text = textarea.value;
    if (text === lastSent) return;
    lastSent = text;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    const body = new FormData();
    body.append("text", text);
    if (announce) status.textContent = "Updating the preview…";
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "X-Requested-With": "fetch" },
        signal: inFlight.signal,
      });
      if (response.redirected) {
        // Sent to the sign-in page: the session has ended.
        lastSent = null;
        status.textContent = "You have been signed out, so the preview cannot be updated. " +
          "Sign in again in another tab, then go on typing: Your text is not affected.";
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/html") || response.status >= 500 || response.status === 403) {
        throw new Error(`preview failed: ${response.status}`);
      }
      content.innerHTML = await response.text();
      const problems = content.querySelector("[data-preview-problems]");
      const count = problems ? Number(problems.dataset.previewProblems) : 0;
      if (announce) {
        const problemText = `${count} ${count === 1 ? "problem" : "problems"} to fix`;
        status.textContent = count === 0 ? "Preview updated." : `Preview updated: ${problemText}.`;
      }
      if (content.querySelector("[data-chart-figure]")) {
        await loadPlotly(editor.dataset.plotlySrc, editor.dataset.plotlyCss);
        drawCharts(content);
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      lastSent = null;
      status.textContent = "The preview could not be updated. Your text is not affected.";
    }
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  });
  refresh(false);
}

for (const editor of document.querySelectorAll("[data-markdown-editor]")) {
  setUp(editor);
}
