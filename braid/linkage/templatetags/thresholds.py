"""How a threshold reads on a page: in tenths, or as finely as it was set."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def threshold(value: float | None) -> str:
    """Show 2.5 as 2.5 and 2.25 as 2.25, in the page's language.

    The pages set thresholds in tenths; the command line may set them finer,
    and a page must not show a threshold other than the one in force.
    """
    if value is None:
        return ""
    places = 1 if round(value, 1) == round(value, 2) else 2
    return number_format(round(value, places), decimal_pos=places)
