// Starts GOV.UK Frontend's components (skip link, navigation toggle, error summary…).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
