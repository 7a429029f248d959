"""Template helpers for GOV.UK Frontend markup."""

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@register.simple_tag
def govuk_error_list(form: forms.BaseForm) -> list[dict[str, str]]:
    """Items for the error summary: each error links to its field."""
    items = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            href = ""
        else:
            widget = form.fields[name].widget
            # Radios, checkboxes and multi-part widgets: link to the first input.
            suffix = "_0" if isinstance(widget, (forms.RadioSelect, forms.MultiWidget)) else ""
            href = f"#{form[name].auto_id}{suffix}"
        items += [{"text": str(error), "href": href} for error in errors]
    return items


_WIDGET_CLASSES = {"textarea": "govuk-textarea", "select": "govuk-select"}


@register.simple_tag
def govuk_widget(field: forms.BoundField, extra_class: str = "") -> str:
    """Render a field's control with GOV.UK classes and ARIA links to its hint and error."""
    base = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    classes = [base, extra_class, field.field.widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    # GOV.UK forms use labels and hints, not placeholders (they vanish as you type).
    field.field.widget.attrs.pop("placeholder", None)
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
