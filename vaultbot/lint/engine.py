"""The lint engine: the rule catalogue (data), the check registry (code), one decision point.

The catalogue ``rules/lint.toml`` declares every rule; ``vaultbot.lint.checks`` registers
one check per rule id.  Both sides are validated at load (an unknown or duplicate id, or a
check without an entry, fails naming the file), so a typo never silently disables a rule.
Every finding then passes through ``Decider.handle``, which applies select/ignore,
per-vault severity overrides and inline suppression comments.  A check that crashes on
one note becomes one diagnostic naming the file and the rule; the run goes on.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from vaultbot.diagnostics import ORDER, Diagnostic, Edit, Severity
from vaultbot.errors import ConfigError, RuleError
from vaultbot.lint.context import LintContext
from vaultbot.lint.suppress import Suppressions
from vaultbot.model import Note

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
REQUIRED_KEYS = frozenset({"id", "name", "severity", "description", "fix"})
OPTIONAL_KEYS = frozenset({"off_by_default"})
ALL = "ALL"
_new = tuple.__new__  # builds a Diagnostic without its Python-level __new__ (~16 a note)

NoteCheck = Callable[[Note, LintContext, "Rule"], Iterable[Diagnostic]]
VaultCheck = Callable[[LintContext, "Rule"], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry; ``severity`` is the effective one after per-vault overrides."""

    id: str
    name: str
    severity: Severity
    description: str
    fix: str
    off_by_default: bool = False

    @classmethod
    def from_toml(cls, entry: Mapping[str, Any], where: str) -> Rule:
        """Build a rule from one ``[[rule]]`` table, refusing unknown keys and bad values."""
        unknown = set(entry) - REQUIRED_KEYS - OPTIONAL_KEYS
        missing = REQUIRED_KEYS - set(entry)
        if unknown or missing:
            raise RuleError(
                f"{where}: unknown keys {sorted(unknown)} / missing keys {sorted(missing)}"
            )
        if not isinstance(entry["id"], str) or not RULE_ID.match(entry["id"]):
            raise RuleError(
                f"{where}: rule id {entry['id']!r} must be kebab-case like 'missing-asset'"
            )
        if entry["severity"] not in SEVERITIES:
            raise RuleError(
                f"{where}: rule {entry['id']}: severity must be one of {', '.join(SEVERITIES)}"
            )
        if not isinstance(entry.get("off_by_default", False), bool):
            raise RuleError(f"{where}: rule {entry['id']}: off_by_default must be true or false")
        texts = [entry[k] for k in ("name", "description", "fix")]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise RuleError(
                f"{where}: rule {entry['id']}: name, description and fix must be non-empty text"
            )
        return cls(
            entry["id"],
            entry["name"],
            entry["severity"],
            entry["description"].strip(),
            entry["fix"].strip(),
            entry.get("off_by_default", False),
        )

    def at(
        self, path: str, line: int, column: int, message: str, fix: Sequence[Edit] = ()
    ) -> Diagnostic:
        """Return a finding of this rule (checks build every Diagnostic through this)."""
        return _new(Diagnostic, (path, line, column, self.id, self.severity, message, tuple(fix)))  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: ``scope`` ``note`` runs per parsed note, ``vault`` once per run."""

    scope: str
    func: Callable[..., Iterable[Diagnostic]]


def load_catalogue(path: Path, registry: Mapping[str, Check]) -> dict[str, Rule]:
    """Read and validate a rule catalogue against the registry of checks."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: cannot read the rule catalogue: {exc}") from exc
    entries = data.get("rule")
    if set(data) - {"rule"} or not isinstance(entries, list):
        raise RuleError(f"{path}: expected only [[rule]] tables")
    rules: dict[str, Rule] = {}
    for number, entry in enumerate(entries, 1):
        rule = Rule.from_toml(entry, f"{path}: rule #{number}")
        if rule.id in rules:
            raise RuleError(f"{path}: duplicate rule id {rule.id!r}")
        if rule.id not in registry:
            raise RuleError(f"{path}: unknown rule id {rule.id!r} (no check is registered for it)")
        rules[rule.id] = rule
    unlisted = sorted(set(registry) - set(rules))
    if unlisted:
        raise RuleError(
            f"{path}: no catalogue entry for the registered checks {', '.join(unlisted)}"
        )
    return dict(sorted(rules.items()))


@dataclass(frozen=True)
class Selection:
    """Which rules run: select/ignore layers (config, then command line), severity overrides.

    Within a layer the more explicit selector wins (a rule id beats ``ALL``; on a tie
    ``ignore`` wins); a later layer overrides an earlier one; a non-empty ``select`` means
    "only these".  Opt-in (``off_by_default``) rules run only when selected.
    """

    layers: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    severity: Mapping[str, str] | None = None

    def enabled(self, rule: Rule) -> bool:
        """Return True when ``rule`` runs under this selection."""
        state = not rule.off_by_default
        for select, ignore in self.layers:
            chosen, dropped = _specificity(select, rule.id), _specificity(ignore, rule.id)
            if chosen or dropped:
                state = chosen > dropped
            elif select:
                state = False
        return state

    def validate(self, rules: Mapping[str, Rule], where: Sequence[str]) -> None:
        """Refuse rule ids that do not exist, naming where they were written."""
        for (select, ignore), source in zip(self.layers, where):
            for rid in sorted((select | ignore) - set(rules) - {ALL}):
                raise ConfigError(
                    f"{source}: unknown rule {rid!r}; known rules: {', '.join(rules)}"
                )
        for rid, sev in (self.severity or {}).items():
            if rid not in rules:
                raise ConfigError(
                    f"{where[0]}: lint.severity: unknown rule {rid!r}; known rules: {', '.join(rules)}"
                )
            if sev not in SEVERITIES:
                raise ConfigError(
                    f"{where[0]}: lint.severity.{rid} must be one of {', '.join(SEVERITIES)}"
                )

    def effective(self, rules: Mapping[str, Rule]) -> list[Rule]:
        """Return the enabled rules with their overridden severities, sorted by id."""
        overrides = self.severity or {}
        chosen = [r for r in rules.values() if self.enabled(r)]
        return [
            replace(r, severity=cast(Severity, overrides.get(r.id, r.severity)))
            for r in sorted(chosen, key=lambda r: r.id)
        ]


def _specificity(selectors: frozenset[str], rule_id: str) -> int:
    if rule_id in selectors:
        return 2
    return 1 if ALL in selectors else 0


class Decider:
    """The one decision point every finding passes through (``handle``)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = {r.id: r for r in rules}

    def handle(
        self, diag: Diagnostic, suppressions: Suppressions | None = None
    ) -> Diagnostic | None:
        """Return the finding with its effective severity, or None when it is not wanted."""
        rule = self.rules.get(diag.rule)
        if rule is None or (suppressions and suppressions.covers(diag.rule, diag.line)):
            return None
        return diag if diag.severity == rule.severity else diag._replace(severity=rule.severity)


def run(ctx: LintContext, rules: Sequence[Rule], registry: Mapping[str, Check]) -> list[Diagnostic]:
    """Run the enabled rules over the context's notes; return sorted, decided findings."""
    decider = Decider(rules)
    found: list[Diagnostic] = []
    note_rules = [r for r in rules if registry[r.id].scope == "note"]
    for path in sorted(ctx.vault.notes):
        note = ctx.vault.notes[path]
        quiet = Suppressions.of(note) if note.directives or note.frontmatter else None
        for rule in note_rules:
            if quiet is None or not quiet.covers_file(rule.id):
                found.extend(_run_one(registry[rule.id], rule, ctx, note, decider, quiet))
    for rule in rules:  # last: orphan-asset may wait for notes linted in another process
        if registry[rule.id].scope == "vault":
            found.extend(_run_one(registry[rule.id], rule, ctx, None, decider, None))
    return sorted(found, key=ORDER)


def _run_one(
    check: Check,
    rule: Rule,
    ctx: LintContext,
    note: Note | None,
    decider: Decider,
    quiet: Suppressions | None,
) -> list[Diagnostic]:
    """Run one check and decide its findings; a crash becomes one error naming file and rule."""
    try:
        raw = check.func(ctx, rule) if note is None else check.func(note, ctx, rule)
        if quiet is None and rule.id in decider.rules:
            return list(raw)  # built by rule.at with the effective severity: nothing to decide
        return [kept for kept in (decider.handle(d, quiet) for d in raw) if kept is not None]
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not stop the vault (flake8 E902 style)
        path = note.path if note is not None else "."
        message = f"check {rule.id} crashed: {type(exc).__name__}: {exc} (a vaultbot bug; please report it)"
        return [Diagnostic(path, 1, 1, rule.id, "error", message)]
