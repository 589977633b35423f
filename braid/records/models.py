"""What is known about a child, each record owned by its contributor."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.children.models import SourceRecord
from braid.community.models import Organization, Program


class Category(models.TextChoices):
    DEMOGRAPHICS = "demographics", _("Demographics")
    ENROLLMENT = "enrollment", _("Enrollment and participation")
    ATTENDANCE = "attendance", _("Attendance")
    ASSESSMENTS = "assessments", _("Assessments")
    SCHOOL_OUTCOMES = "school-outcomes", _("School outcomes")
    SERVICES = "services", _("Services")
    GUARDIAN_CONTACT = "guardian-contact", _("Guardian contact")


class Enrollment(models.Model):
    """A child in a program (or served by the organization) over a period."""

    category = Category.ENROLLMENT

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="enrollments"
    )
    source_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, related_name="enrollments"
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        help_text=_("Empty when the roster lists everyone the organization serves."),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    started_by = models.ForeignKey(
        "intake.RosterBatch", on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        "intake.RosterBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organization_id", "program_id", "start_date"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        indexes = [
            models.Index(
                fields=["organization", "program", "end_date"], name="enrollment_open"
            ),
        ]

    def __str__(self) -> str:
        return f"enrollment {self.pk}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    category = Category.ATTENDANCE

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="attendance"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="attendance"
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=AttendanceStatus.choices
    )
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)

    class Meta:
        ordering = ["enrollment_id", "day"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "day"], name="one_attendance_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"attendance {self.pk}"


class AssessmentResult(models.Model):
    category = Category.ASSESSMENTS

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessment_results"
    )
    source_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, related_name="assessment_results"
    )
    instrument = models.CharField(_("instrument"), max_length=100)
    scale = models.CharField(_("scale"), max_length=100, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=3, null=True)
    performance_level = models.CharField(
        _("performance level"), max_length=100, blank=True
    )
    administered_on = models.DateField(_("date"))

    class Meta:
        ordering = ["source_record_id", "administered_on"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")

    def __str__(self) -> str:
        return f"assessment {self.pk}"
