"""No secret written into the synthesized JSON: module inputs and provider arguments must not hold
a literal that looks like a credential. Secrets reach Terraform as sensitive variables
(`${local.license}`, read from the settings file at deploy time) or references to where they are
kept. What a secret looks like is shared with the settings loader (release_catalog.secret_patterns),
which refuses one in a setting first, naming the setting."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules.base import Level, Rule, StackView
from release_catalog.secret_patterns import SECRET_NAME, secret_kind, strings_in

# Keys of a module block that are Terraform's own, not inputs.
MODULE_META = {"//", "source", "version", "providers", "depends_on", "count", "for_each"}


def _is_reference(value: str) -> bool:
    """A string that is wholly one Terraform expression, e.g. "${var.license}"."""
    return value.startswith("${") and value.endswith("}") and value.count("${") == 1


def secret_problem(path: str, value: str) -> str | None:
    """Why `value` (at the dotted argument path `path`) looks like a secret, or None."""
    if not value.strip() or _is_reference(value.strip()):
        return None
    kind = secret_kind(value)
    if kind is not None:
        return f"looks like {kind}"
    if any(SECRET_NAME.search(part) for part in path.split(".")) and "${" not in value:
        return "is a literal value for a secret"
    return None


class NoSecretLiterals(Rule):
    id = "NO-SECRET-LITERALS"
    level = Level.ERROR
    description = (
        "No module input or provider argument holds a literal that looks like a secret: by its name (license, "
        "password, token, secret, api/access/secret/private key, credentials) or by its value (an AWS access key "
        "id, a private key, a URL with a password in it). Secrets reach Terraform at deploy time, never as "
        "literals: the license as `${local.license}`, which Terraform reads from the settings file (else "
        "`TF_VAR_license`), sensitive. The settings loader refuses such a value in a setting first (exit 2, "
        "naming the setting), from the same patterns (`release_catalog/secret_patterns.py`)."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for module in view.modules():
            for key, value in module.config.items():
                if key in MODULE_META:
                    continue
                for where, text in strings_in(value, key):
                    problem = secret_problem(where, text)
                    if problem:
                        yield (
                            module.path,
                            (
                                f"input `{where}` of module.{module.type} {problem}; it would be written to the "
                                "synthesized JSON in clear text. Pass it as a sensitive variable (e.g. TF_VAR_...) instead"
                            ),
                        )
        for provider in view.providers():
            for key, value in provider.config.items():
                for where, text in strings_in(value, key):
                    problem = secret_problem(where, text)
                    if problem:
                        yield (
                            provider.path,
                            (
                                f"argument `{where}` of provider {provider.type} {problem}; use the provider's "
                                "environment variables or a credentials file instead"
                            ),
                        )
