import csv
import importlib.util
import json
import math
import os
import shutil
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from braid import commands, progress
from braid.children.models import SourceRecord
from braid.linkage import engine, thresholds, training
from braid.linkage.models import (
    LinkageModel,
    MappingEvent,
    ReviewItem,
    ThresholdError,
    check_thresholds,
)
from braid.linkage.scoring import Scorer
from braid.reporter.render import inert

# The options each use of the command accepts, and the formats it writes.
# Any other option is refused as a usage error rather than silently ignored.
RELINK = "--all"
USES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    RELINK: (
        frozenset({"spark", "dry_run", "yes", "format", "user"}),
        ("text", "json"),
    ),
    "train": (frozenset({"no_activate", "user"}), ()),
    "models": (frozenset(), ()),
    "activate": (frozenset({"model_version", "user"}), ()),
    "thresholds": (frozenset({"auto", "review", "user"}), ()),
    "export": (frozenset({"format"}), ("csv",)),
    "status": (frozenset({"format"}), ("text", "json")),
}
USAGE = 2
FOLLOWING = ("consents", "guardians")


class Command(commands.Command):
    help = (
        "Link children across organizations. `link --all` re-links the whole "
        "community (it says how many children it would merge or split first); "
        "`link train` trains a new model version; `link models` lists the "
        "versions and `link activate VERSION` puts one in use; `link "
        "thresholds` shows or sets the steward's thresholds; `link export` "
        "writes the mapping."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=[use for use in USES if use != RELINK],
            help="what to do; without one, use --all",
        )
        parser.add_argument(
            "model_version",
            nargs="?",
            type=int,
            metavar="VERSION",
            help="with activate, the model version to put in use",
        )
        parser.add_argument(
            "--all", action="store_true", help="re-link every source record"
        )
        parser.add_argument(
            "--spark",
            action="store_true",
            help="with --all, score on a local Apache Spark session",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="with --all, say what would change"
        )
        parser.add_argument(
            "--yes", action="store_true", help="with --all, apply without asking"
        )
        parser.add_argument(
            "--auto", type=float, help="with thresholds, link automatically from"
        )
        parser.add_argument(
            "--review", type=float, help="with thresholds, send to review from"
        )
        parser.add_argument(
            "--no-activate",
            action="store_true",
            help="with train, store the new model but keep the current one in use",
        )
        parser.add_argument(
            "--format",
            choices=["text", "json", "csv"],
            help="text or json with --all and status; csv with export",
        )
        parser.add_argument(
            "--user",
            help="with --all, train or thresholds, the Braid user to record "
            "the change under",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._answered = False
        try:
            self._handle(options)
        except CommandError as error:
            # A script reading the JSON gets an object whatever went wrong
            # (a usage error, exit code 2, prints nothing, as import-roster's
            # does); the message still goes to the terminal.
            usage = error.returncode == 2
            if options["format"] == "json" and not self._answered and not usage:
                self._write_json({"error": str(error)})
            raise

    def _write_json(self, value: Any) -> None:
        """Write standard output's one JSON object."""
        self.stdout.write(json.dumps(value, ensure_ascii=False, allow_nan=False))
        self._answered = True

    def _handle(self, options: dict[str, Any]) -> None:
        use = _use(options)
        # A change is recorded under --user, else under the shell's login
        # (made only when something is recorded: see _recorder).
        user = _user(options["user"])
        if use == RELINK:
            self._relink(options, user)
        elif use == "train":
            self._train(options, user)
        elif use == "thresholds":
            self._thresholds(options, user)
        elif use == "export":
            self._export(options)
        elif use == "models":
            self._models()
        elif use == "activate":
            self._activate(options, user)
        else:
            self._status(options)

    def _relink(self, options: dict[str, Any], user: User | None) -> None:
        # Progress goes to standard error: standard output stays the report.
        reporter = (
            progress.StreamReporter(self.stderr) if options["verbosity"] else None
        )
        with progress.reporting(reporter):
            if options["spark"]:
                plan = engine.plan_relink(scorer_class=_spark_scorer())
            else:
                plan = engine.plan_relink()
        as_json = options["format"] == "json"
        if not as_json:
            for line in self._plan_lines(plan):
                self.stdout.write(line)

        event = None
        if self._confirmed(plan, options):
            with progress.reporting(reporter):
                event = engine.apply_relink(plan, _recorder(user))

        # With --format json standard output is one object and nothing else.
        if as_json:
            self._write_json(_relink_outcome(plan, event))
        elif event is not None:
            self._write_applied(event)

    def _plan_lines(self, plan: engine.RelinkPlan) -> list[str]:
        counts = plan.counts()
        lines = [
            _(
                "Re-linking %(records)s records (%(pairs)s pairs scored, "
                "%(seconds).1f s) would change:"
            )
            % {
                "records": counts["records"],
                "pairs": counts["pairs_scored"],
                "seconds": plan.seconds,
            }
        ]
        for label, key in (
            (_("children merged"), "children_merged"),
            (_("children split"), "children_split"),
            (_("children created"), "new_children"),
            (_("children given back a retired ID"), "children_revived"),
            (_("records moved"), "records_moved"),
            (_("pairs waiting for review"), "review"),
            (_("possible duplicates"), "duplicates"),
        ):
            lines.append(f"  {label}: {counts[key]}")
        lines.append(_("No person's decision changes."))
        return lines

    def _confirmed(self, plan: engine.RelinkPlan, options: dict[str, Any]) -> bool:
        """Say whether to apply the plan: given --yes, or agreed to."""
        if options["dry_run"]:
            return False
        if plan.changes_nothing:
            # Nothing to record: a change that changes nothing would only
            # clutter the list of changes with undo buttons.
            if options["format"] != "json":
                self.stdout.write(
                    _("Nothing to apply: the mapping and the queue already stand so.")
                )
            return False
        if options["yes"]:
            return True
        as_json = options["format"] == "json"
        if not sys.stdin.isatty():
            if as_json:
                self._write_json(_relink_outcome(plan, None))
            raise CommandError("Nothing changed. Add --yes to apply.")

        # The person asked reads what would change; in JSON, on standard
        # error, with the question, so that standard output stays the object.
        # Neither is an error, which Django would colour as one.
        if as_json:
            for line in self._plan_lines(plan):
                self.stderr.write(line, style_func=_plain)
        self.stderr.write("Apply? [y/N] ", style_func=_plain, ending="")
        self.stderr.flush()
        try:
            answer = input()
        except EOFError:
            # Ctrl-D: no answer is no.
            answer = ""
            self.stderr.write("", style_func=_plain)
        if answer.strip().lower() in ("y", "yes"):
            return True
        if not as_json:
            self.stdout.write("Nothing changed.")
        return False

    def _write_applied(self, event: MappingEvent) -> None:
        self.stdout.write(_("Applied as change #%(change)s.") % {"change": event.pk})
        moved, kept = _following(event)
        if any(moved.values()):
            self.stdout.write(
                "Consents and guardians that went with the records they were "
                "recorded from: {consents} and {guardians}.".format(**moved)
            )
        if any(kept.values()):
            self.stdout.write(
                "Consents and guardians that stayed although the organization "
                "that recorded them now has records on both sides: {consents} and "
                "{guardians} (the change's entry on the Changes page names the "
                "children).".format(**kept)
            )

    def _train(self, options: dict[str, Any], user: User | None) -> None:
        try:
            model = training.train(_recorder(user), activate=not options["no_activate"])
        except training.TrainingError as error:
            raise CommandError(str(error)) from None
        trained = _trained_text(model.version, model.training)
        if not options["no_activate"]:
            self.stdout.write(
                f"{trained}; it is now in use. Run `braid link --all` to re-link "
                "the community with it."
            )
            return
        in_use = engine.policy().model
        assert in_use is not None
        self.stdout.write(
            f"{trained}. It is stored as version {model.version} and is not in "
            f"use: linking still uses model v{in_use.version}. `braid link "
            f"activate {model.version}` puts it in use."
        )

    def _models(self) -> None:
        in_use = engine.policy().model
        for model in LinkageModel.objects.select_related("created_by").order_by(
            "version"
        ):
            summary = model.training or {}
            trained = (
                _trained_on_text(summary)
                if model.source == LinkageModel.Source.TRAINED
                else "Braid's starting model"
            )
            by = f" by {model.created_by.get_username()}" if model.created_by else ""
            mark = "  (in use)" if in_use and model.pk == in_use.pk else ""
            self.stdout.write(
                f"v{model.version}  {model.created_at:%Y-%m-%d %H:%M}{by}  "
                f"{trained}{mark}"
            )

    def _activate(self, options: dict[str, Any], user: User | None) -> None:
        try:
            model = training.activate(options["model_version"], _recorder(user))
        except training.TrainingError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Model v{model.version} is now in use. Linking from now on uses it; "
            "run `braid link --all` to re-link the community with it."
        )

    def _thresholds(self, options: dict[str, Any], user: User | None) -> None:
        current = engine.policy()
        auto = (
            options["auto"] if options["auto"] is not None else current.auto_link_weight
        )
        review = (
            options["review"]
            if options["review"] is not None
            else current.review_weight
        )
        try:
            check_thresholds(auto, review)
        except ThresholdError as error:
            raise CommandError(str(error)) from None
        changed = options["auto"] is not None or options["review"] is not None
        if changed:
            engine.set_thresholds(auto, review, _recorder(user))
        figures = thresholds.expected(thresholds.labelled_pairs(), auto, review)
        self.stdout.write(
            f"Link automatically from match weight {auto}; review from {review}."
        )
        if changed:
            self.stdout.write(thresholds.relink_note("`braid link --all`"))
        self.stdout.write(_expected_text(figures))

    def _export(self, options: dict[str, Any]) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["organization", "local_id", "child_id"])
        rows = (
            SourceRecord.objects.order_by("organization__slug", "local_id_key")
            .values_list("organization__slug", "local_id", "child__public_id")
            .iterator(chunk_size=5000)
        )
        for row in rows:
            # A local ID is whatever the organization typed; a spreadsheet
            # would run one that starts like a formula.
            writer.writerow([inert(cell) for cell in row])

    def _status(self, options: dict[str, Any]) -> None:
        current = engine.policy()
        assert current.model is not None
        # Counted as the review queue counts them: a skipped pair still waits.
        link = Q(kind=ReviewItem.Kind.LINK)
        duplicate = Q(kind=ReviewItem.Kind.DUPLICATE)
        skipped = Q(status=ReviewItem.Status.SKIPPED)
        queue = ReviewItem.objects.filter(
            status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED]
        ).aggregate(
            review=Count("pk", filter=link),
            review_skipped=Count("pk", filter=link & skipped),
            duplicates=Count("pk", filter=duplicate),
            duplicates_skipped=Count("pk", filter=duplicate & skipped),
        )
        status = {
            "model": current.model.version,
            "model_source": current.model.source,
            "auto_link_weight": current.auto_link_weight,
            "review_weight": current.review_weight,
            "review_waiting": queue["review"],
            "review_skipped": queue["review_skipped"],
            "duplicates_waiting": queue["duplicates"],
            "duplicates_skipped": queue["duplicates_skipped"],
        }
        if options["format"] == "json":
            # A threshold stored before they were checked may be NaN or
            # infinite, which JSON cannot hold: it is given as null.
            readable = {key: _finite(value) for key, value in status.items()}
            self._write_json(readable)
            return
        for key in ("model", "model_source", "auto_link_weight", "review_weight"):
            self.stdout.write(f"{key.replace('_', ' ')}: {status[key]}")
        for key in ("review", "duplicates"):
            self.stdout.write(
                f"{key} waiting: {status[key + '_waiting']} "
                f"({status[key + '_skipped']} skipped)"
            )


# Only "same child" decisions teach the model (its m-probabilities), and
# only once there are enough of them: the summary counts those it learned
# from, which is not every decision a person made.
def _trained_text(version: int, summary: dict[str, Any]) -> str:
    pairs = summary["labels"]
    text = ngettext(
        "Trained model v%(version)s in %(seconds)s s on %(records)s records and "
        "%(pairs)s pair a person decided is the same child",
        "Trained model v%(version)s in %(seconds)s s on %(records)s records and "
        "%(pairs)s pairs a person decided are the same child",
        pairs,
    ) % {
        "version": version,
        "seconds": summary["seconds"],
        "records": summary["records"],
        "pairs": pairs,
    }
    return text + _unused_decisions_note(pairs)


def _trained_on_text(summary: dict[str, Any]) -> str:
    pairs = summary.get("labels", 0)
    return ngettext(
        "trained on %(records)s records and %(pairs)s pair a person decided is "
        "the same child",
        "trained on %(records)s records and %(pairs)s pairs a person decided are "
        "the same child",
        pairs,
    ) % {"records": summary.get("records", "?"), "pairs": pairs}


def _unused_decisions_note(pairs: int) -> str:
    if pairs:
        return ""
    return " " + _("(such pairs count once there are %(minimum)s or more)") % {
        "minimum": training.MINIMUM_LABELS
    }


def _plain(text: str) -> str:
    return text


def _relink_outcome(
    plan: engine.RelinkPlan, event: MappingEvent | None
) -> dict[str, Any]:
    """Return what a re-link would change and what of it was applied."""
    outcome: dict[str, Any] = {
        **plan.counts(),
        "applied": event is not None,
        "change": event.pk if event is not None else None,
    }
    moved, kept = _following(event) if event is not None else ({}, {})
    for kind in FOLLOWING:
        outcome[f"{kind}_moved"] = moved.get(kind)
        outcome[f"{kind}_kept"] = kept.get(kind)
    return outcome


def _following(event: MappingEvent) -> tuple[dict[str, int], dict[str, int]]:
    """Count the consents and guardians a change moved, and those it kept."""
    summary = event.summary
    moved = {kind: len(summary.get(f"{kind}_moved", [])) for kind in FOLLOWING}
    kept = {kind: len(summary.get(f"{kind}_kept", [])) for kind in FOLLOWING}
    return moved, kept


def _use(options: dict[str, Any]) -> str:
    """Return which use of the command was asked for, refusing misuse."""
    action = options["action"]
    if action is None and not options["all"]:
        raise _usage_error(
            "Say what to do: --all, train, models, activate, thresholds, export "
            "or status."
        )
    if action is not None and options["all"]:
        raise _usage_error("--all re-links the community; leave out the action.")
    use = action or RELINK
    if use == "activate" and options["model_version"] is None:
        raise _usage_error(
            "Say which version: `link activate VERSION` (`link models` lists them)."
        )
    accepted, formats = USES[use]
    given = [name for name in _OPTIONS if options.get(name) not in (None, False)]
    for name in given:
        if name not in accepted:
            raise _usage_error(_misplaced(name, use))
    if options["format"] is not None and options["format"] not in formats:
        raise _usage_error(
            f"`link {use}` writes {' or '.join(formats)}, "
            f"not --format {options['format']}."
        )
    if options["dry_run"] and options["yes"]:
        raise _usage_error("--dry-run changes nothing; leave out --yes.")
    return use


# The options a use may accept, as argparse names them in the options.
_OPTIONS = sorted(set().union(*(accepted for accepted, _formats in USES.values())))


def _misplaced(name: str, use: str) -> str:
    flag = "VERSION" if name == "model_version" else "--" + name.replace("_", "-")
    homes = [other for other, (accepted, _f) in USES.items() if name in accepted]
    return f"`link {use}` takes no {flag}; {flag} goes with {' or '.join(homes)}."


def _usage_error(message: str) -> CommandError:
    # Exit status 2, as argparse gives for any other misuse of the command.
    return CommandError(message, returncode=USAGE)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _expected_text(figures: thresholds.Expected) -> str:
    if not figures.labelled:
        return (
            "No pair has been decided yet, in review or by a merge or split, so "
            "there is nothing to measure them on."
        )

    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    pairs = "pair" if figures.labelled == 1 else "pairs"
    few = (
        " Few pairs are settled yet: one more answer can move these figures a long way."
        if figures.few
        else ""
    )
    return (
        f"On the {figures.labelled} {pairs} settled so far ({figures.answered} "
        f"answered in review, {figures.labelled - figures.answered} implied by "
        f"merges, splits and moves; {figures.same} the same child): precision "
        f"of automatic links {percent(figures.auto_precision)}, "
        f"recall {percent(figures.auto_recall)}; {percent(figures.review_recall)} "
        f"of the same-child pairs reach review or better, and "
        f"{percent(figures.dismissed)} of the different-children pairs fall below it. "
        "Pairs a rule sends to review whatever their weight (possible twins, two "
        "different state student IDs) are not counted as automatic links." + few
    )


def _spark_scorer() -> type[Scorer]:
    if importlib.util.find_spec("pyspark") is None:
        raise CommandError(
            _(
                "--spark needs PySpark, which is not installed: from Braid's "
                "checkout, install its spark extra with pip install -e '.[spark]'."
            )
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise CommandError(
            "--spark needs a Java runtime (17 or later), and there is none on "
            "the PATH or in JAVA_HOME."
        )

    # Imported here: PySpark is an optional extra.
    from braid.linkage.spark import SparkScorer

    return SparkScorer


def _recorder(user: User | None) -> User:
    """Return whom a change is recorded under: --user, or the shell's login."""
    return user if user is not None else commands.shell_user()


def _user(username: str | None) -> User | None:
    if username is None:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No Braid user is called {username!r}.") from None
