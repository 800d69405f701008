"""jobguard's built-in rule pack, registered like any third-party plugin.

``pyproject.toml`` registers this module under the ``jobguard`` entry-point group (``builtin-rules``); the plugin
manager calls :func:`jobguard_rules` exactly as it calls an external package's hook, which keeps the plugin API
honest. Each rule family lives in its own module; shared traversal is in :mod:`jobguard.rules.walk`, secret and
template recognition in :mod:`jobguard.secretscan` and :mod:`jobguard.rules.gotemplate`.
"""

from __future__ import annotations

from jobguard.hookspec import hookimpl
from jobguard.rules.artifacts import ApprovedArtifactSources, ArtifactChecksumRequired, ArtifactTransportSecure
from jobguard.rules.base import Rule
from jobguard.rules.connect import (
    ConnectRequiresBridge,
    ConnectServiceNameLowercase,
    ConnectUniqueUpstreamBinds,
    ExposeChecksNeedSidecar,
)
from jobguard.rules.docker import (
    NoDangerousCapabilities,
    NoHostNamespaces,
    NoPrivilegedContainers,
    NoRawExec,
    NoSensitiveHostMounts,
    ReadonlyRootfs,
)
from jobguard.rules.images import ApprovedRegistries, ImagePinnedByDigest, NoLatestTag
from jobguard.rules.jobmeta import RequiredMetaKeys
from jobguard.rules.logs import LogsEnabled
from jobguard.rules.networking import NoPrivilegedStaticPorts
from jobguard.rules.resources import MemoryOversubscriptionBounded, ResourcesDeclared, ResourcesWithinLimits
from jobguard.rules.scheduling import (
    NoDefaultNamespace,
    NoWildcardDatacenters,
    PeriodicProhibitOverlap,
    RescheduleBounded,
)
from jobguard.rules.secrets import NoInlineSecrets
from jobguard.rules.services import (
    CheckPortExists,
    DeploymentAutoRevert,
    ServiceChecksRequired,
    ServiceInstancesSpread,
    UpdateMaxParallelWithinCount,
)
from jobguard.rules.templates import SecretTemplatesInSecretsDir, SecretTemplatesNotWorldReadable
from jobguard.rules.vault import VaultTemplatesRequired
from jobguard.rules.volumes import CsiSingleWriter

BUILTIN_RULES: tuple[type[Rule], ...] = (
    # the four seed rules
    NoInlineSecrets, VaultTemplatesRequired, ConnectRequiresBridge, ApprovedArtifactSources,
    # secrets and templates
    SecretTemplatesInSecretsDir, SecretTemplatesNotWorldReadable,
    # isolation
    NoPrivilegedContainers, NoHostNamespaces, NoDangerousCapabilities, NoSensitiveHostMounts, ReadonlyRootfs,
    NoRawExec,
    # supply chain
    NoLatestTag, ImagePinnedByDigest, ApprovedRegistries, ArtifactChecksumRequired, ArtifactTransportSecure,
    # resources
    ResourcesDeclared, ResourcesWithinLimits, MemoryOversubscriptionBounded,
    # services, networking, Connect
    ServiceChecksRequired, CheckPortExists, DeploymentAutoRevert, ServiceInstancesSpread,
    UpdateMaxParallelWithinCount, NoPrivilegedStaticPorts, ConnectServiceNameLowercase, ConnectUniqueUpstreamBinds,
    ExposeChecksNeedSidecar,
    # scheduling, metadata, storage, observability
    NoWildcardDatacenters, NoDefaultNamespace, RescheduleBounded, PeriodicProhibitOverlap, RequiredMetaKeys,
    CsiSingleWriter, LogsEnabled,
)


@hookimpl
def jobguard_rules() -> list[Rule]:
    """A fresh instance of every built-in rule."""
    return [cls() for cls in BUILTIN_RULES]
