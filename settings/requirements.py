"""Settings against W&B's own requirements (release_catalog.requirements: warnings) and AWS's tag
limit (release_catalog.tags: an error)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from release_catalog import layouts
from release_catalog import requirements as req
from release_catalog.eks_versions import minor
from release_catalog.layouts import InfraRelease
from release_catalog.tags import APP_TAGS, MAX_TAGS_PER_RESOURCE
from settings.errors import SettingsWarning

# Module inputs whose tags go on resources Terraform creates with the provider's default tags:
# `eks_cluster_tags` tags the EKS cluster (7.x, 8.x). (`aws_loadbalancer_controller_tags` tags the
# load balancers the controller creates outside Terraform, without the default tags.)
RESOURCE_TAG_INPUTS = ("eks_cluster_tags",)

_WANDB_ASKS = "W&B's Self-Managed requirements (docs.wandb.ai) ask for"


def warnings(infra: InfraRelease, module_inputs: Mapping[str, Any], shown: str) -> list[SettingsWarning]:
    """The database and Redis warnings for a deployment (Kubernetes: `with_kubernetes_note`, which
    joins W&B's minimum to AWS's calendar note for the same setting)."""
    found = []
    database = database_note(infra, module_inputs)
    if database:
        found.append(SettingsWarning(shown, "database_engine_version", database))
    redis = redis_note(infra, _effective(infra, module_inputs, "create_elasticache"))
    if redis:
        found.append(SettingsWarning(shown, "wandb_infra_version", redis))
    return found


def _effective(infra: InfraRelease, module_inputs: Mapping[str, Any], name: str) -> Any:
    """What module input `name` is at deploy time: the setting, else the app's value, else the
    module's default (also for a setting of null)."""
    value = module_inputs.get(name, layouts.written_default(infra.layout, name))
    if value is None or value is layouts.NULL:
        variable = infra.release.variables.get(name)
        return variable.default if variable is not None else None
    return value


def with_kubernetes_note(calendar: str | None, version: str) -> str | None:
    """AWS's calendar note for Kubernetes `version` (or None), with what W&B's requirements say
    when `version` is below them: one warning for the setting."""
    if minor(version) >= minor(req.MIN_KUBERNETES):
        return calendar
    below = (
        f"{_WANDB_ASKS} Kubernetes {req.MIN_KUBERNETES} or newer (the page's newest copy: {req.MIN_KUBERNETES_NEWEST_COPY}), "
        f"and {version} is older"
    )
    if calendar:
        return f"{calendar}; also, {below}"
    return f"{below}: raise eks_cluster_version one minor version per deploy"


def database_note(infra: InfraRelease, module_inputs: Mapping[str, Any]) -> str | None:
    """What W&B's requirements say about the Aurora MySQL release the deployment runs, when it is
    below them: the `database_engine_version` setting, else the release's own default. A version
    that names only the MySQL line ("8.0", the default of 7.x and 8.x) leaves the Aurora release
    to AWS (its default for new clusters), so no warning."""
    release = infra.release
    if "database_engine_version" in module_inputs:
        version, whose = module_inputs["database_engine_version"], "is"
    elif release.declares("database_engine_version"):
        version, whose = release.variables["database_engine_version"].default, f"is not set, so {release.label} uses its default,"
    else:
        return None
    if not isinstance(version, str) or req.leaves_release_to_aws(version):
        return None
    aurora = req.aurora_release(version)
    if aurora is not None and aurora >= req.MIN_AURORA_MYSQL:
        return None
    named = f"Aurora MySQL {req.aurora_text(aurora)}" if aurora else "no Aurora MySQL 3 release the app recognizes"
    return (
        f"{whose} {version!r} ({named}); {_WANDB_ASKS} Aurora MySQL 3.x at least {req.MIN_AURORA_MYSQL_TEXT}: "
        "set database_engine_version = "
        f'"{req.MIN_AURORA_ENGINE_VERSION}" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists '
        "your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window"
    )


def redis_note(infra: InfraRelease, create_elasticache: Any) -> str | None:
    """What W&B's requirements say about the Redis the release creates, when it is below them (no
    release has an input for the Redis version)."""
    version = req.MODULE_REDIS_VERSION.get(infra.resolved)
    if not create_elasticache or version is None or req.redis_major(version) == req.REDIS_MAJOR:
        return None
    return (
        f"{infra.release.label} creates Redis {version} (no input changes it), and {_WANDB_ASKS} Redis {req.REDIS_MAJOR}.x: "
        "finish the operator migration to "
        'wandb_infra_version = "~> 7.0" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own'
    )


def tag_count_problem(default_tags: Mapping[str, Any], module_inputs: Mapping[str, Any]) -> tuple[str, str] | None:
    """(setting, message) when a resource would carry more tags than AWS allows, counting the
    app's own tags; else None."""
    on_every = {**APP_TAGS, **default_tags}
    counted = [("default_tags", on_every, "every AWS resource")]
    for name in RESOURCE_TAG_INPUTS:
        if isinstance(module_inputs.get(name), Mapping):
            counted.append((name, {**on_every, **module_inputs[name]}, f"the resources `{name}` tags"))
    for setting, tags, where in counted:
        total = len([k for k in tags if not str(k).lower().startswith("aws:")])
        if total > MAX_TAGS_PER_RESOURCE:
            app_own = ", ".join(k for k in APP_TAGS if k not in default_tags)
            among = f", the app's own {app_own} among them" if app_own else ""
            return (
                setting,
                f"{where} would carry {total} tags{among}: AWS allows {MAX_TAGS_PER_RESOURCE} on one resource, so "
                f"remove {total - MAX_TAGS_PER_RESOURCE} or more",
            )
    return None
