"""What the folder-driven engines read about the exported stacks (docs/engines.md): the Atlantis
repo config, one project per exported stack (`./scripts/export --atlantis`)."""

from __future__ import annotations

from collections.abc import Sequence

ATLANTIS_WORKFLOW = "wandb"

# The plan stage: Terraform's own init and plan, then the app's guard on the saved plan (README,
# Reviewed plans): a plan that destroys or replaces W&B's data fails here, before anyone can apply
# it. `${DIR%"$REPO_REL_DIR"}` is the checkout's root (Atlantis sets DIR and REPO_REL_DIR).
GUARD_STEP = 'terraform show -json "$PLANFILE" > "$SHOWFILE" && "${DIR%"$REPO_REL_DIR"}scripts/plan" --json "$SHOWFILE"'


def atlantis_yaml(export_dir: str, stacks: Sequence[str]) -> str:
    """The repo-level `atlantis.yaml` for the stacks exported to `export_dir` (relative to the
    repository's root). The server side needs docs/recipes/atlantis-repos.yaml."""
    lines = [
        "# Atlantis repo config: one project per stack exported by ./scripts/export (docs/engines.md).",
        f"# Generated: ./scripts/export --atlantis {export_dir} > atlantis.yaml",
        "version: 3",
        "automerge: false",
        "parallel_plan: true",
        "projects:",
    ]
    for stack in stacks:
        lines += [
            f"  - name: {stack}",
            f"    dir: {export_dir}/{stack}",
            f"    workflow: {ATLANTIS_WORKFLOW}",
            "    autoplan:",
            "      enabled: true",
            '      when_modified: ["*.tf.json", ".terraform.lock.hcl"]',
            "    apply_requirements: [approved, mergeable]",
        ]
    lines += [
        "workflows:",
        f"  {ATLANTIS_WORKFLOW}:",
        "    plan:",
        "      steps:",
        "        - init",
        "        - plan",
        "        # The app's guard: refuses a plan that destroys or replaces W&B's data (exit 3).",
        f"        - run: {GUARD_STEP}",
    ]
    return "\n".join(lines) + "\n"
