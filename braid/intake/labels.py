"""What each roster field is called on pages and in messages."""

from django.utils.translation import gettext_lazy as _

from braid.intake.parsing.types import Field

FIELD_LABELS = {
    Field.LOCAL_ID: _("ID (the organization's own)"),
    Field.STATE_ID: _("State student ID"),
    Field.FIRST_NAME: _("First name"),
    Field.MIDDLE_NAME: _("Middle name"),
    Field.LAST_NAME: _("Last name"),
    Field.SUFFIX: _("Suffix"),
    Field.BIRTH_DATE: _("Date of birth"),
    Field.GENDER: _("Gender"),
    Field.ADDRESS: _("Address"),
    Field.ZIP_CODE: _("ZIP code"),
    Field.SCHOOL: _("School"),
    Field.GRADE: _("Grade"),
    Field.GUARDIAN_NAME: _("Guardian name"),
    Field.GUARDIAN_PHONE: _("Guardian phone"),
    Field.GUARDIAN_EMAIL: _("Guardian email"),
}
