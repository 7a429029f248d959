// Plotly injects its own CSS rules at run time, which a CSP of style-src 'self' forbids.
// This takes the rules object that the bundle carries and writes it to static/build/plotly.css.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const bundle = readFileSync("node_modules/plotly.js-strict-dist-min/plotly-strict.min.js", "utf8");
const start = bundle.indexOf('{"X,X div"');
if (start < 0) throw new Error("Could not find Plotly's CSS rules in the bundle: has its format changed?");
let depth = 0;
let quote = null;
let end = start;
for (; end < bundle.length; end++) {
  const ch = bundle[end];
  if (quote) {
    if (ch === "\\") end++;
    else if (ch === quote) quote = null;
  } else if (ch === '"' || ch === "'") quote = ch;
  else if (ch === "{") depth++;
  else if (ch === "}" && --depth === 0) break;
}
// A plain object literal of strings, from a pinned package: evaluated at build time only.
const rules = new Function(`return ${bundle.slice(start, end + 1)};`)();
const scope = { X: ".js-plotly-plot .plotly", Y: ".plotly-notifier" };
const css = Object.entries(rules)
  .map(([selector, body]) => {
    const scoped = selector
      .split(",")
      .map((part) => part.replace(/^[XY]/, (letter) => scope[letter]))
      .join(",");
    return `${scoped}{${body}}`;
  })
  .join("\n");
mkdirSync("static/build", { recursive: true });
writeFileSync("static/build/plotly.css", `/* Generated from plotly.js by scripts/plotly-css.mjs */\n${css}\n`);
