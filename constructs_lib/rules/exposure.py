"""Warnings about exposure the settings choose: open ingress, a public Kubernetes API, no deletion
protection. They stay allowed (the guide's own examples use them), but every synth says so, naming
the setting to change. The settings keys are the `wandb/wandb/aws` inputs of the same name, so
the rules read them from the module block and the message names the key the settings file sets
(or would set, to change the app's default)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from typing import Any

from constructs_lib.rules.base import Block, Level, Rule, StackView
from release_catalog.releases import AWS_MODULE_SOURCE


def _infra_modules(view: StackView) -> Iterator[Block]:
    for module in view.modules():
        if module.attr("source") == AWS_MODULE_SOURCE:
            yield module


def open_ranges(value: Any) -> list[str]:
    """The entries of a CIDR list that admit every address (a /0), e.g. 0.0.0.0/0 or ::/0."""
    found = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, str):
            continue
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue
        if network.prefixlen == 0:
            found.append(entry)
    return found


class OpenIngress(Rule):
    id = "EXPOSURE-OPEN-INGRESS"
    level = Level.WARNING
    description = (
        "W&B itself is reachable from the whole internet: `allowed_inbound_cidr` contains `0.0.0.0/0` or "
        "`allowed_inbound_ipv6_cidr` contains `::/0`."
    )

    SETTINGS = (
        ("allowed_inbound_cidr", "IPv4"),
        ("allowed_inbound_ipv6_cidr", "IPv6"),
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for module in _infra_modules(view):
            for setting, family in self.SETTINGS:
                ranges = open_ranges(module.attr(setting))
                if ranges:
                    yield (
                        module.path,
                        (
                            f"{setting} contains {', '.join(ranges)}: W&B is reachable from the whole internet ({family}). "
                            f"Allowed, as in the guide's example; to restrict it, list your own ranges in {setting}"
                        ),
                    )


class PublicKubernetesApi(Rule):
    id = "EXPOSURE-PUBLIC-KUBERNETES-API"
    level = Level.WARNING
    description = (
        "The EKS cluster's Kubernetes API endpoint is public (`kubernetes_public_access = true`), and open to "
        "the whole internet when `kubernetes_public_access_cidrs` contains `0.0.0.0/0` or `::/0`."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for module in _infra_modules(view):
            if module.attr("kubernetes_public_access") is not True:
                continue
            yield (
                module.path,
                (
                    "kubernetes_public_access = true: the Kubernetes API endpoint of the W&B cluster is public "
                    "(the guide's value, and the app's default). Set kubernetes_public_access = false to keep it "
                    "inside the VPC"
                ),
            )
            ranges = open_ranges(module.attr("kubernetes_public_access_cidrs"))
            if ranges:
                yield (
                    module.path,
                    (
                        f"kubernetes_public_access_cidrs contains {', '.join(ranges)}: the Kubernetes API endpoint "
                        "accepts connections from the whole internet (the guide's value, and the app's default). "
                        "Set kubernetes_public_access_cidrs to the ranges your operators connect from"
                    ),
                )


class DeletionProtectionOff(Rule):
    id = "EXPOSURE-DELETION-PROTECTION-OFF"
    level = Level.WARNING
    description = "`deletion_protection = false`: the W&B database can be deleted by a destroy or a replacing change."

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for module in _infra_modules(view):
            if module.attr("deletion_protection") is False:
                yield (
                    module.path,
                    (
                        "deletion_protection = false: the W&B database (and every run, report and user in it) can be "
                        "deleted by `cdktf destroy` or by a change that replaces it. Remove the setting (the module "
                        "default is true) for anything that holds real data"
                    ),
                )
